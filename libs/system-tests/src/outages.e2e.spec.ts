import { createTestDatabase, startThrowawayPostgres, startThrowawayRabbitMq, waitFor } from '@conveyor/testing';
import type { ThrowawayPostgres, ThrowawayRabbitMq } from '@conveyor/testing';
import { Client } from 'pg';
import { call, registerAndLogin } from './support/http';
import { startPlatform, type Platform } from './support/platform';

/** Outages of the servers themselves, on throwaway nodes so nothing shared is disturbed. */
describe('outages', () => {
  describe('RabbitMQ stopped while registrations continue', () => {
    let broker: ThrowawayRabbitMq;
    let platform: Platform;

    beforeAll(async () => {
      broker = await startThrowawayRabbitMq();
      platform = await startPlatform({ services: ['auth', 'user'], amqpUrl: broker.url });
    }, 90_000);
    afterAll(async () => {
      await platform?.stop();
      await broker?.destroy();
    });

    it('accepts registrations during the outage and delivers every profile after the broker returns', async () => {
      const auth = platform.service('auth').url;
      await broker.stop();

      // while the broker is down, registering still works and the events wait in the outbox
      const users = [];
      for (let i = 0; i < 5; i++) users.push(await registerAndLogin(auth));
      expect(await unpublishedOutboxRows(platform.db.adminUrl)).toBe(users.length);
      expect((await call(`${auth}/health/ready`)).status).toBe(503);

      // once it is back, every event reaches the user service
      await broker.start();
      for (const user of users) {
        await waitFor(async () => (await call(`${platform.service('user').url}/v1/users/me`, { token: user.token })).status === 200, {
          description: `the profile of ${user.email}`,
          timeoutMs: 30_000,
          intervalMs: 200,
        });
      }
      await waitFor(async () => (await unpublishedOutboxRows(platform.db.adminUrl)) === 0, {
        description: 'every outbox row to be marked published',
      });
    }, 90_000);
  });

  describe('RabbitMQ down when a service starts', () => {
    let broker: ThrowawayRabbitMq;
    let platform: Platform;

    beforeAll(async () => {
      broker = await startThrowawayRabbitMq();
      await broker.stop();
    }, 60_000);
    afterAll(async () => {
      await platform?.stop();
      await broker?.destroy();
    });

    it('serves HTTP at once, reports not ready, and becomes ready when the broker arrives', async () => {
      platform = await startPlatform({ services: ['auth', 'user'], amqpUrl: broker.url, until: 'live' });
      const auth = platform.service('auth').url;
      expect((await call(`${auth}/health/ready`)).status).toBe(503);
      const user = await registerAndLogin(auth);

      await broker.start();

      for (const service of ['auth', 'user'] as const) {
        await waitFor(async () => (await call(`${platform.service(service).url}/health/ready`)).status === 200, {
          description: `${service} to become ready`,
          timeoutMs: 30_000,
          intervalMs: 200,
        });
      }
      await waitFor(async () => (await call(`${platform.service('user').url}/v1/users/me`, { token: user.token })).status === 200, {
        description: 'the profile registered before the broker existed',
        timeoutMs: 30_000,
        intervalMs: 200,
      });
    }, 90_000);
  });

  describe('Postgres briefly unavailable', () => {
    let postgres: ThrowawayPostgres;
    let platform: Platform;

    beforeAll(async () => {
      postgres = await startThrowawayPostgres();
      const database = await createTestDatabase({ serverUrl: postgres.adminUrl });
      platform = await startPlatform({ services: ['auth'], database });
    }, 90_000);
    afterAll(async () => {
      await platform?.stop();
      await postgres?.destroy();
    });

    it('reports not ready while the database is down and recovers by itself when it returns', async () => {
      const auth = platform.service('auth').url;
      await postgres.stop('immediate');

      const down = await waitFor(
        async () => {
          const ready = await call(`${auth}/health/ready`);
          return ready.status === 503 && ready;
        },
        { description: 'readiness to turn false' },
      );
      expect(down.body).toMatchObject({ checks: { database: 'down', broker: 'up' } });
      expect((await call(`${auth}/health/live`)).status).toBe(200);

      await postgres.start();
      await waitFor(async () => (await call(`${auth}/health/ready`)).status === 200, {
        description: 'readiness to return',
        timeoutMs: 30_000,
        intervalMs: 200,
      });
      const user = await registerAndLogin(auth);
      expect((await call(`${auth}/v1/auth/me`, { token: user.token })).status).toBe(200);
    }, 90_000);
  });
});

async function unpublishedOutboxRows(adminUrl: string): Promise<number> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT count(*)::int AS n FROM auth.outbox WHERE published_at IS NULL');
    return rows[0].n;
  } finally {
    await client.end();
  }
}
