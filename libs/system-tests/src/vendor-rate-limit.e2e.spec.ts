import { AccountPlanChangedV1, createEvent, CreditsReservedV1 } from '@conveyor/contracts';
import { AmqpConnection, EventPublisher, topologyNames } from '@conveyor/messaging';
import { signAccessToken } from '@conveyor/service-testing';
import {
  createTestDatabase,
  deleteBrokerObjects,
  freePorts,
  mostRequestsWithin,
  startTestVendor,
  TEST_AMQP_URL,
  uniqueName,
  waitFor,
  type TestDatabase,
  type TestVendor,
} from '@conveyor/testing';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { call } from './support/http';
import { runServiceCommand, startServiceProcess, SYSTEM_TEST_JWT_SECRET, type ServiceProcess } from './support/service-process';

const JOBS = 50;
const LIMIT = { requests: 5, intervalMs: 1_000 };
const API_KEY = 'limited-vendor-key-that-no-log-may-show';

/**
 * A vendor's rate limit holds across instances: two jobs processes share one database and run
 * 50 `vendor.call` jobs of one client (whose plan lets it run many at once) against a vendor
 * limited to 5 requests a second. Billing is played by the spec, which publishes the plan and
 * the reservations.
 */
describe('the vendor rate limit across two jobs processes', () => {
  let db: TestDatabase;
  let vendor: TestVendor;
  let admin: Client;
  let connection: AmqpConnection;
  let publisher: EventPublisher;
  const namespace = uniqueName('sys-vendor');
  const workers: ServiceProcess[] = [];

  beforeAll(async () => {
    [db, vendor] = await Promise.all([createTestDatabase(), startTestVendor({ name: 'limited', mode: 'sync' })]);
    const env = {
      DATABASE_URL: db.urlFor('jobs'),
      AMQP_URL: TEST_AMQP_URL,
      AMQP_NAMESPACE: namespace,
      LOG_LEVEL: 'info',
      WORKER_POLL_INTERVAL_MS: '100',
      WORKER_CONCURRENCY: '16',
      JOBS_ALLOW_LOOPBACK_VENDORS: 'true',
      JOBS_VENDORS: JSON.stringify({
        limited: { baseUrl: vendor.url, mode: 'sync', authHeader: { name: 'X-Api-Key', value: API_KEY }, rateLimit: LIMIT },
      }),
    };
    const migrate = runServiceCommand('jobs', env, ['migrate']);
    if ((await migrate.exit) !== 0) throw new Error(`migrate failed:\n${migrate.output.join('\n')}`);
    const ports = await freePorts(2);
    workers.push(...(await Promise.all(ports.map((port) => startServiceProcess('jobs', port, env)))));
    admin = new Client({ connectionString: db.adminUrl });
    await admin.connect();
    connection = new AmqpConnection(TEST_AMQP_URL, 'spec-publisher');
    publisher = new EventPublisher(connection, topologyNames(namespace, 'spec'));
  }, 60_000);

  afterAll(async () => {
    await publisher?.close();
    await connection?.close();
    await Promise.all(workers.map((worker) => worker.stop()));
    await admin?.end();
    await vendor?.close();
    await db?.drop();
    const names = topologyNames(namespace, 'jobs');
    await deleteBrokerObjects({ queues: [names.queue, names.deadLetterQueue], exchanges: [names.exchange, names.deadLetterExchange] });
  });

  it('never lets the vendor see more than 5 requests in any second while 50 jobs complete', async () => {
    // given a client whose plan runs up to 50 jobs at once
    const userId = randomUUID();
    await publisher.publish(
      createEvent(AccountPlanChangedV1, {
        source: '/conveyor/billing',
        subject: userId,
        data: { userId, plan: 'pro', maxConcurrentJobs: JOBS, revision: 1, changedAt: new Date().toISOString() },
      }),
    );
    await waitFor(async () => (await admin.query('SELECT 1 FROM jobs.plans WHERE user_id = $1', [userId])).rowCount === 1, {
      description: 'the plan to be stored',
    });

    // when 50 vendor jobs are submitted (to both processes) and billing reserves them all
    const token = await signAccessToken({ userId, secret: SYSTEM_TEST_JWT_SECRET });
    const ids = await Promise.all(
      Array.from({ length: JOBS }, async (_, i) => {
        const submitted = await call(`${workers[i % 2].url}/v1/jobs`, { token, body: { type: 'vendor.call', input: { vendor: 'limited', payload: { i } } } });
        expect(submitted.status).toBe(202);
        return String(submitted.body['id']);
      }),
    );
    const reservedAt = new Date().toISOString();
    await Promise.all(
      ids.map((jobId) =>
        publisher.publish(
          createEvent(CreditsReservedV1, {
            source: '/conveyor/billing',
            subject: jobId,
            data: { jobId, userId, amount: 1, balance: 100, reservedAt },
          }),
        ),
      ),
    );

    // then all succeed, run by both processes, and the vendor's busiest second saw 5 requests
    await waitFor(
      async () => {
        const { rows } = await admin.query(`SELECT count(*)::int AS n FROM jobs.jobs WHERE user_id = $1 AND status = 'succeeded'`, [userId]);
        return rows[0].n === JOBS;
      },
      { description: 'all jobs to succeed', timeoutMs: 30_000, intervalMs: 200 },
    );
    const { rows: holders } = await admin.query(`SELECT DISTINCT worker_id FROM jobs.jobs WHERE user_id = $1`, [userId]);
    expect(holders).toHaveLength(2);
    expect(vendor.requests).toHaveLength(JOBS);
    expect(mostRequestsWithin(vendor.requests.map((request) => request.at), LIMIT.intervalMs)).toBe(LIMIT.requests);
    // the vendor got its key, and no log line of either process shows it
    expect(vendor.requests.every((request) => request.headers['x-api-key'] === API_KEY)).toBe(true);
    expect(workers.flatMap((worker) => worker.output).filter((line) => line.includes(API_KEY))).toEqual([]);
  }, 50_000);
});
