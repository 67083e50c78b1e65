import { send, signAccessToken, startJwksServer, TEST_SIGNING_KEY, type JwksServer } from '@conveyor/service-testing';
import { createTestDatabase, deleteBrokerObjects, TEST_AMQP_URL, uniqueName, waitFor, type TestDatabase } from '@conveyor/testing';
import { topologyNames } from '@conveyor/messaging';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { startReceiver, type Answer, type Receiver } from './receiver';
import { runMigrations } from '@conveyor/persistence';
import { webhookDeliveryService } from '../src/webhook-delivery.definition';
import { killAll, startDeliveryProcess, type DeliveryProcess } from './service-process';

/**
 * Crash recovery and competing instances need real processes: webhook-delivery started from
 * its main.ts, sharing one database, killed with SIGKILL.
 */
describe('webhook-delivery as separate processes (real Postgres, RabbitMQ, loopback receivers)', () => {
  let database: TestDatabase;
  let sql: Client;
  let env: NodeJS.ProcessEnv;
  const receivers: Receiver[] = [];

  let jwks: JwksServer;

  beforeAll(async () => {
    database = await createTestDatabase();
    jwks = await startJwksServer(TEST_SIGNING_KEY);
    env = {
      DATABASE_URL: database.urlFor('webhook-delivery'),
      AMQP_URL: TEST_AMQP_URL,
      AMQP_NAMESPACE: uniqueName('webhooks-proc'),
      AUTH_JWKS_URL: jwks.url,
      WEBHOOKS_ALLOW_HTTP: 'true',
      WEBHOOKS_ALLOW_LOOPBACK: 'true',
      WEBHOOK_RETRY_SCHEDULE: '0,200ms,400ms,800ms,1s,1s,1s,1s',
      WEBHOOK_RETRY_JITTER: '0',
      WEBHOOK_POLL_INTERVAL_MS: '50',
      WEBHOOK_REQUEST_TIMEOUT_MS: '1000',
      WEBHOOK_LEASE_SECONDS: '2',
      WEBHOOK_ENDPOINT_CONCURRENCY: '4',
    };
    // Migrated in this process: every spawned process compiles the service anew, which is slow.
    await runMigrations({
      url: String(env['DATABASE_URL']),
      schema: webhookDeliveryService.schema,
      applicationName: 'webhook-delivery-spec-migrate',
      migrations: webhookDeliveryService.migrations,
    });
    sql = new Client({ connectionString: database.adminUrl });
    await sql.connect();
  }, 120_000);

  afterAll(async () => {
    await killAll();
    await Promise.all(receivers.map((r) => r.close()));
    await jwks?.close();
    await sql?.end();
    const names = topologyNames(String(env?.['AMQP_NAMESPACE']), 'webhook-delivery');
    await deleteBrokerObjects({ queues: [names.queue, names.deadLetterQueue], exchanges: [names.exchange, names.deadLetterExchange] }).catch(
      () => undefined,
    );
    await database?.drop();
  });

  const start = (overrides: NodeJS.ProcessEnv = {}) => startDeliveryProcess({ ...env, ...overrides });

  const receiver = async (answer: Parameters<typeof startReceiver>[0]) => {
    const started = await startReceiver(answer);
    receivers.push(started);
    return started;
  };

  /** An endpoint and `count` test messages to it, queued through the HTTP API. */
  const queueMessages = async (service: DeliveryProcess, url: string, count: number) => {
    const token = await signAccessToken({ userId: randomUUID() });
    const endpoint = await send(`${service.url}/v1/webhooks/endpoints`, 'POST', { token, body: { url } });
    const id = String(endpoint.body['id']);
    for (let i = 0; i < count; i++) {
      const reply = await send(`${service.url}/v1/webhooks/endpoints/${id}/test`, 'POST', { token });
      expect(reply.status).toBe(202);
    }
    return id;
  };

  const deliveries = async (endpointId: string) =>
    (
      await sql.query<{ id: string; message_id: string; status: string }>(
        `SELECT id, message_id, status FROM webhooks.deliveries WHERE endpoint_id = $1`,
        [endpointId],
      )
    ).rows;

  const webhookIdsOf = (r: Receiver) => r.received.map((request) => String(request.headers['webhook-id']));
  const count = (ids: string[]) => ids.reduce((m, id) => m.set(id, (m.get(id) ?? 0) + 1), new Map<string, number>());
  const webhookId = (messageId: string) => `msg_${messageId.replace(/-/g, '')}`;

  /** Each delivery's logged attempts, by the webhook-id the receiver sees. */
  const attemptLog = async (endpointIds: string[]) => {
    const { rows } = await sql.query<{ message_id: string; number: number; outcome: string | null }>(
      `SELECT d.message_id, a.number, a.outcome FROM webhooks.attempts a JOIN webhooks.deliveries d ON d.id = a.delivery_id
        WHERE d.endpoint_id = ANY($1::uuid[]) ORDER BY a.number`,
      [endpointIds],
    );
    const log = new Map<string, { number: number; outcome: string | null }[]>();
    for (const row of rows) log.set(webhookId(row.message_id), [...(log.get(webhookId(row.message_id)) ?? []), row]);
    return log;
  };

  it('delivers every message after a SIGKILL mid-attempt, and none again whose 200 was recorded', async () => {
    // given a receiver that answers 200 slowly, so attempts are in flight when the process dies
    const target = await receiver(() => new Promise<Answer>((done) => setTimeout(() => done({ status: 200 }), 150)));
    const first = await start();
    const endpointId = await queueMessages(first, target.url, 24);
    await waitFor(() => target.received.length >= 8, { description: 'the first attempts', timeoutMs: 10_000 });

    // when
    await first.kill('SIGKILL');
    const recorded = new Set(
      (await deliveries(endpointId)).filter((d) => d.status === 'succeeded').map((d) => webhookId(d.message_id)),
    );
    const receivedAtKill = count(webhookIdsOf(target));
    expect(recorded.size).toBeLessThan(24);
    const second = await start();

    // then every message arrives
    await waitFor(async () => (await deliveries(endpointId)).every((d) => d.status === 'succeeded'), {
      description: 'every message to be delivered after the restart',
      timeoutMs: 20_000,
    });
    const received = count(webhookIdsOf(target));
    const log = await attemptLog([endpointId]);
    expect(log.size).toBe(24);
    for (const [id, attempts] of log) {
      expect(received.get(id)).toBeGreaterThanOrEqual(1);
      // each attempt reached the receiver at most once, and the recorded success was the last
      expect(received.get(id)).toBeLessThanOrEqual(attempts.length);
      expect(attempts.map((a) => a.outcome).filter((o) => o === 'succeeded')).toHaveLength(1);
      expect(attempts[attempts.length - 1].outcome).toBe('succeeded');
      // a message whose 200 was recorded before the kill is never sent again
      if (recorded.has(id)) expect(received.get(id)).toBe(receivedAtKill.get(id));
      // one sent again after the restart had an attempt in flight that was never recorded
      else if ((received.get(id) ?? 0) > 1) expect(attempts.some((a) => a.outcome === 'lost' || a.outcome === 'failed')).toBe(true);
    }
    await second.kill('SIGTERM');
  }, 120_000);

  it('sends a delivery handed back on SIGTERM again at once from another instance, not after the backoff', async () => {
    // given a receiver that holds the first request and answers the next one, and a schedule whose
    // next delay is five minutes
    const target = await receiver((_, index) =>
      index === 0 ? new Promise<Answer>((done) => setTimeout(() => done({ status: 200 }), 60_000).unref()) : { status: 200 },
    );
    const slow = { WEBHOOK_RETRY_SCHEDULE: '0,5m', WEBHOOK_REQUEST_TIMEOUT_MS: '60000', SHUTDOWN_TIMEOUT_MS: '2000' };
    const first = await start(slow);
    const endpointId = await queueMessages(first, target.url, 1);
    await waitFor(() => target.received.length === 1, { description: 'the first attempt', timeoutMs: 10_000 });

    // when the instance stops while the attempt is in flight (it aborts it after a quarter of SHUTDOWN_TIMEOUT_MS)
    expect(await first.kill('SIGTERM')).toBe(0);
    const second = await start(slow);

    // then the other instance sends it again without waiting for the lease or the schedule
    await waitFor(async () => (await deliveries(endpointId)).every((d) => d.status === 'succeeded'), {
      description: 'the handed-back message to be delivered',
      timeoutMs: 60_000,
    });
    const [attempts] = [...(await attemptLog([endpointId])).values()];
    expect(attempts.map((a) => [a.number, a.outcome])).toEqual([
      [1, 'lost'],
      [2, 'succeeded'],
    ]);
    expect(target.received).toHaveLength(2);
    await second.kill('SIGTERM');
  }, 180_000);

  it('shares the work between two instances without running any attempt twice', async () => {
    const target = await receiver(() => new Promise<Answer>((done) => setTimeout(() => done({ status: 200 }), 20)));
    // a lease far longer than any attempt here, so only the claim keeps the instances apart
    const [a] = await Promise.all([start({ WEBHOOK_LEASE_SECONDS: '60' }), start({ WEBHOOK_LEASE_SECONDS: '60' })]);
    const endpointIds = await Promise.all([1, 2, 3].map(() => queueMessages(a, target.url, 15)));

    await waitFor(
      async () => {
        const rows = [];
        for (const id of endpointIds) rows.push(...(await deliveries(id)));
        return rows.length === 45 && rows.every((d) => d.status === 'succeeded');
      },
      { description: 'all 45 messages to be delivered', timeoutMs: 20_000 },
    );
    const received = count(webhookIdsOf(target));
    const log = await attemptLog(endpointIds);
    expect(received.size).toBe(45);
    for (const [id, attempts] of log) {
      // every logged attempt reached the receiver exactly once; none was lost to the other instance
      expect(received.get(id)).toBe(attempts.length);
      expect(attempts.every((x) => x.outcome === 'succeeded' || x.outcome === 'failed')).toBe(true);
    }
  }, 120_000);
});
