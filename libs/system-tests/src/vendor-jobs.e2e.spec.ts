import { ConveyorClient } from '@conveyor/client';
import { AccountPlanChangedV1, createEvent, CreditsReservedV1 } from '@conveyor/contracts';
import { AmqpConnection, EventPublisher, topologyNames } from '@conveyor/messaging';
import { signAccessToken, startJwksServer, TEST_SIGNING_KEY, type JwksServer } from '@conveyor/service-testing';
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
import { runServiceCommand, startServiceProcess, type ServiceProcess } from './support/service-process';

const LIMIT = { requests: 5, intervalMs: 1_000 };
const API_KEY = 'limited-vendor-key-that-no-log-may-show';
const CALLBACK_SECRET = 'system-test-async-vendor-secret-0123456789';

/**
 * `vendor.call` jobs in two jobs processes that share one database: a vendor's rate limit holds
 * for both together, and an async vendor's callback reaches the job whichever process runs it.
 * Billing is played by the spec, which publishes the client's plan and the reservations.
 */
describe('vendor jobs across two jobs processes', () => {
  let db: TestDatabase;
  let limited: TestVendor;
  let asyncVendor: TestVendor;
  let admin: Client;
  let connection: AmqpConnection;
  let publisher: EventPublisher;
  // Stands in for auth's JWKS: the jobs processes verify the spec's tokens with it.
  let jwks: JwksServer;
  const namespace = uniqueName('sys-vendor');
  const workers: ServiceProcess[] = [];

  beforeAll(async () => {
    [db, limited, asyncVendor, jwks] = await Promise.all([
      createTestDatabase(),
      startTestVendor({ name: 'limited', mode: 'sync' }),
      startTestVendor({ name: 'later', mode: 'async', secret: CALLBACK_SECRET }),
      startJwksServer(TEST_SIGNING_KEY),
    ]);
    const env = {
      DATABASE_URL: db.urlFor('jobs'),
      AMQP_URL: TEST_AMQP_URL,
      AMQP_NAMESPACE: namespace,
      AUTH_JWKS_URL: jwks.url,
      LOG_LEVEL: 'info',
      WORKER_POLL_INTERVAL_MS: '100',
      WORKER_CONCURRENCY: '16',
      JOBS_ALLOW_LOOPBACK_VENDORS: 'true',
      JOBS_VENDORS: JSON.stringify({
        limited: { baseUrl: limited.url, mode: 'sync', authHeader: { name: 'X-Api-Key', value: API_KEY }, rateLimit: LIMIT },
        later: { baseUrl: asyncVendor.url, mode: 'async', secret: CALLBACK_SECRET, rateLimit: { requests: 1000, intervalMs: 1000 } },
      }),
    };
    const migrate = runServiceCommand('jobs', env, ['migrate']);
    if ((await migrate.exit) !== 0) throw new Error(`migrate failed:\n${migrate.output.join('\n')}`);
    const ports = await freePorts(2);
    workers.push(...(await Promise.all(ports.map((port) => startServiceProcess('jobs', port, env)))));
    // Every callback goes to the first process, wherever its job runs.
    asyncVendor.callBackTo(workers[0].url);
    admin = new Client({ connectionString: db.adminUrl });
    await admin.connect();
    connection = new AmqpConnection(TEST_AMQP_URL, 'spec-publisher');
    publisher = new EventPublisher(connection, topologyNames(namespace, 'spec'));
  }, 60_000);

  afterAll(async () => {
    await publisher?.close();
    await connection?.close();
    await Promise.all(workers.map((worker) => worker.stop()));
    await jwks?.close();
    await admin?.end();
    await Promise.all([limited, asyncVendor].map((vendor) => vendor?.close()));
    await db?.drop();
    const names = topologyNames(namespace, 'jobs');
    await deleteBrokerObjects({ queues: [names.queue, names.deadLetterQueue, names.workQueue], exchanges: [names.exchange, names.deadLetterExchange] });
  });

  /** A client whose plan lets it run `jobs` jobs at once, with an access token. */
  async function clientRunning(jobs: number) {
    const userId = randomUUID();
    await publisher.publish(
      createEvent(AccountPlanChangedV1, {
        source: '/conveyor/billing',
        subject: userId,
        data: { userId, plan: 'pro', maxConcurrentJobs: jobs, revision: 1, changedAt: new Date().toISOString() },
      }),
    );
    await waitFor(async () => (await admin.query('SELECT 1 FROM jobs.plans WHERE user_id = $1', [userId])).rowCount === 1, {
      description: 'the plan to be stored',
    });
    return { userId, token: await signAccessToken({ userId }) };
  }

  /** Submits the jobs to both processes in turn, then reserves them all as billing would. */
  async function submitAndReserve(client: { userId: string; token: string }, inputs: Record<string, unknown>[]) {
    const ids = await Promise.all(
      inputs.map(async (input, i) => {
        const jobs = new ConveyorClient({ urls: { jobs: workers[i % 2].url }, session: { accessToken: client.token } }).jobs;
        return (await jobs.submit({ type: 'vendor.call', input: input as { vendor: string; payload: unknown } })).id;
      }),
    );
    const reservedAt = new Date().toISOString();
    await Promise.all(
      ids.map((jobId) =>
        publisher.publish(
          createEvent(CreditsReservedV1, {
            source: '/conveyor/billing',
            subject: jobId,
            data: { jobId, userId: client.userId, amount: 1, balance: 100, reservedAt },
          }),
        ),
      ),
    );
    return ids;
  }

  const untilAllSucceeded = (userId: string, count: number) =>
    waitFor(
      async () => {
        const { rows } = await admin.query(`SELECT count(*)::int AS n FROM jobs.jobs WHERE user_id = $1 AND status = 'succeeded'`, [userId]);
        return rows[0].n === count;
      },
      { description: `all ${count} jobs to succeed`, timeoutMs: 30_000, intervalMs: 200 },
    );

  const holders = async (userId: string) =>
    (await admin.query(`SELECT DISTINCT worker_id FROM jobs.jobs WHERE user_id = $1`, [userId])).rows;

  it('never lets the vendor see more than 5 requests in any second while 50 jobs complete', async () => {
    // given a client whose plan runs up to 50 jobs at once
    const client = await clientRunning(50);

    // when 50 jobs for a vendor limited to 5 requests a second are submitted and reserved
    await submitAndReserve(client, Array.from({ length: 50 }, (_, i) => ({ vendor: 'limited', payload: { i } })));

    // then all succeed, run by both processes, and the vendor's busiest second saw 5 requests
    await untilAllSucceeded(client.userId, 50);
    expect(await holders(client.userId)).toHaveLength(2);
    expect(limited.requests).toHaveLength(50);
    expect(mostRequestsWithin(limited.requests.map((request) => request.at), LIMIT.intervalMs)).toBe(LIMIT.requests);
    // the vendor got its key, and no log line of either process shows it
    expect(limited.requests.every((request) => request.headers['x-api-key'] === API_KEY)).toBe(true);
    expect(workers.flatMap((worker) => worker.output).filter((line) => line.includes(API_KEY))).toEqual([]);
  }, 50_000);

  it('completes async jobs in either process from callbacks that all arrive at the first one', async () => {
    // given more jobs than one process takes at once, each answered 300 ms after it was sent
    const client = await clientRunning(40);

    // when
    const ids = await submitAndReserve(client, Array.from({ length: 40 }, (_, i) => ({ vendor: 'later', payload: { i, callbackDelayMs: 300 } })));

    // then both processes ran some, and every job completed from its callback
    await untilAllSucceeded(client.userId, 40);
    expect(await holders(client.userId)).toHaveLength(2);
    expect(new Set(asyncVendor.callbacks.filter((callback) => callback.status === 200).map((callback) => callback.jobId))).toEqual(new Set(ids));
  }, 30_000);
});
