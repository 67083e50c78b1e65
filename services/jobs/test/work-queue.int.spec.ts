import { createEvent, WorkBecameAvailableV1 } from '@conveyor/contracts';
import { createServiceApp, type RunningService } from '@conveyor/platform';
import { startServiceUnderTest, type ServiceUnderTest } from '@conveyor/service-testing';
import { TEST_AMQP_URL, waitFor } from '@conveyor/testing';
import { connect } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { LOCK_CLIENT_SQL } from '../src/jobs/run-jobs/claim-jobs';
import type { JobsConfig } from '../src/jobs.config';
import { jobsService } from '../src/jobs.definition';
import {
  insertPendingJob,
  jobState,
  mostRunningAtOnce,
  reservation,
  startOrder,
  untilApplied,
  untilStatus,
  watchRunningJobs,
  type PendingJob,
  type Sql,
} from './job-processing.fixtures';

jest.setTimeout(60_000);

/**
 * The workers' poll is set to its longest (60 s) and runs once at start-up, before any job of
 * these specs exists, and a worker looks for work on its own only for the client whose run just
 * ended: any other job that starts within the specs' time limits was handed to a worker by a
 * "work available" token.
 */
const NO_POLL = { WORKER_POLL_INTERVAL_MS: '60000', SHUTDOWN_TIMEOUT_MS: '2000' };
const WITHIN_MS = 15_000;

/** A job billing has reserved, queued by hand: no token is written for it. */
async function queueSilently(sql: Sql, userId: string, input: Record<string, unknown>): Promise<string> {
  const { id } = await insertPendingJob(sql, { userId, input });
  await sql(`UPDATE jobs.jobs SET status = 'queued', queued_at = now() WHERE id = $1`, [id]);
  return id;
}

const token = (userId: string) =>
  createEvent(WorkBecameAvailableV1, { source: '/conveyor/jobs', subject: userId, data: { userId, jobId: null, cause: 'queued' } });

async function workQueueState(queue: string): Promise<{ messageCount: number; consumerCount: number }> {
  const connection = await connect(TEST_AMQP_URL);
  try {
    const channel = await connection.createChannel();
    return await channel.checkQueue(queue);
  } finally {
    await connection.close();
  }
}

describe('the work queue hands queued jobs to workers (real Postgres and RabbitMQ)', () => {
  let jobs: ServiceUnderTest<JobsConfig>;

  beforeAll(async () => {
    jobs = await startServiceUnderTest(jobsService, { ...NO_POLL, WORKER_CONCURRENCY: '4' });
  });

  afterAll(async () => {
    await jobs?.close();
  });

  it('starts a job promptly once billing reserved it, with no poll to find it', async () => {
    // given a pending job
    const job = await insertPendingJob(jobs.sql, { input: { delayMs: 0, which: 'token' } });

    // when billing reserves it
    await jobs.publish(reservation(job));

    // then a worker runs it, long before the next poll, woken by the token the reservation wrote
    const done = await untilStatus(jobs.sql, job.id, 'succeeded', WITHIN_MS);
    expect(done).toMatchObject({ attempts: 1, result: { which: 'token' } });
    const tokens = await jobs.sql<{ data: Record<string, unknown> }>(
      `SELECT envelope->'data' AS data FROM jobs.outbox WHERE event_type = $1 AND envelope->>'subject' = $2 ORDER BY seq`,
      [WorkBecameAvailableV1.type, job.userId],
    );
    expect(tokens[0]?.data).toEqual({ userId: job.userId, jobId: job.id, cause: 'queued' });
  });

  it("hands a client's next job to a worker when its running job finishes and frees the slot", async () => {
    // given a client allowed one job at a time (no plan known) with two reserved jobs
    const userId = randomUUID();
    const first = await insertPendingJob(jobs.sql, { userId, input: { delayMs: 400 } });
    const second = await insertPendingJob(jobs.sql, { userId, input: { delayMs: 0 } });
    await Promise.all([first, second].map((job) => jobs.publish(reservation(job))));

    // when the first one finishes
    const firstDone = await untilStatus(jobs.sql, first.id, 'succeeded', WITHIN_MS);

    // then the token its finish wrote starts the second one, after the first ended
    const secondDone = await untilStatus(jobs.sql, second.id, 'succeeded', WITHIN_MS);
    expect((secondDone.started_at as Date).getTime()).toBeGreaterThanOrEqual((firstDone.finished_at as Date).getTime());
    expect(await mostRunningAtOnce(jobs.sql, userId)).toBe(1);
    const [freed] = await jobs.sql(`SELECT 1 FROM jobs.outbox WHERE event_type = $1 AND envelope->'data' @> $2::jsonb`, [
      WorkBecameAvailableV1.type,
      JSON.stringify({ userId, jobId: first.id, cause: 'slot_freed' }),
    ]);
    expect(freed).toBeDefined();
  });

  it("serves other clients' tokens while one client's claim round waits for that client's lock", async () => {
    // given two clients with a job queued each, the first one's claim lock held elsewhere
    const [blocked, other] = [randomUUID(), randomUUID()];
    const blockedJob = await queueSilently(jobs.sql, blocked, { delayMs: 0 });
    const otherJob = await queueSilently(jobs.sql, other, { delayMs: 0 });
    const holder = new Client({ connectionString: jobs.database.adminUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(LOCK_CLIENT_SQL, [blocked]);

      // when the first client's token comes, and its round waits for the lock, then the second's
      await jobs.publish(token(blocked));
      await waitFor(
        async () =>
          (await jobs.sql(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'advisory'`)).length === 1,
        { description: "the first client's claim round to wait for its lock", timeoutMs: WITHIN_MS },
      );
      await jobs.publish(token(other));

      // then the second client's job runs meanwhile, and the first one's once the lock is free
      await untilStatus(jobs.sql, otherJob, 'succeeded', WITHIN_MS);
      expect((await jobState(jobs.sql, blockedJob)).status).toBe('queued');
      await holder.query('COMMIT');
      await untilStatus(jobs.sql, blockedJob, 'succeeded', WITHIN_MS);
    } finally {
      await holder.end();
    }
  });

  it('starts each job once and keeps the plan when the same token arrives many times', async () => {
    // given a client allowed one job at a time, with three jobs queued and no token for them
    const userId = randomUUID();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await queueSilently(jobs.sql, userId, { delayMs: 200, i }));
    const watcher = await watchRunningJobs(jobs.database.adminUrl);

    // when one token is delivered five times, alongside two more for the same client
    const repeated = token(userId);
    await Promise.all([...Array(5).fill(repeated), token(userId), token(userId)].map((event) => jobs.publish(event)));

    // then every job ran once, one at a time, in order
    for (const id of ids) await untilStatus(jobs.sql, id, 'succeeded', WITHIN_MS);
    const highest = await watcher.stop();
    expect(highest.get(userId)).toBe(1);
    expect(await mostRunningAtOnce(jobs.sql, userId)).toBe(1);
    expect(await startOrder(jobs.sql, userId)).toEqual(ids);
    for (const id of ids) expect((await jobState(jobs.sql, id)).attempts).toBe(1);
  });

  it('is a durable quorum queue: declaring it as a classic queue is refused', async () => {
    const connection = await connect(TEST_AMQP_URL);
    try {
      const channel = await connection.createChannel();
      channel.on('error', () => undefined); // the broker closes the channel; the rejection says why
      await expect(
        channel.assertQueue(jobs.names.workQueue, { durable: true, arguments: { 'x-queue-type': 'classic' } }),
      ).rejects.toThrow(/PRECONDITION_FAILED/);
    } finally {
      await connection.close();
    }
  });
});

describe('an api-only process writes tokens but never takes them (real Postgres and RabbitMQ)', () => {
  let api: ServiceUnderTest<JobsConfig>;
  let worker: RunningService | undefined;

  beforeAll(async () => {
    api = await startServiceUnderTest(jobsService, { ...NO_POLL, JOBS_ROLE: 'api' });
  });

  afterAll(async () => {
    await worker?.stop();
    await api?.close();
  });

  it('leaves the token in the queue until a worker process starts and runs the job', async () => {
    // given an api-only process; when billing reserves a job
    const job: PendingJob = await insertPendingJob(api.sql, { input: { which: 'later' } });
    const reserved = reservation(job);
    await api.publish(reserved);
    await untilApplied(api.sql, reserved.id);

    // then its token waits in the work queue, which nobody consumes, and the job stays queued
    await waitFor(async () => (await workQueueState(api.names.workQueue)).messageCount === 1, {
      description: 'the token to reach the work queue',
    });
    expect(await workQueueState(api.names.workQueue)).toEqual({ queue: api.names.workQueue, messageCount: 1, consumerCount: 0 });
    expect((await jobState(api.sql, job.id)).status).toBe('queued');

    // and when a worker process joins, it takes the token and runs the job
    worker = await createServiceApp(jobsService, { ...api.config, JOBS_ROLE: 'worker' as const });
    await worker.start();
    expect(await untilStatus(api.sql, job.id, 'succeeded', WITHIN_MS)).toMatchObject({ result: { which: 'later' } });
    await waitFor(async () => (await workQueueState(api.names.workQueue)).messageCount === 0, {
      description: 'the worker to take the token',
    });
  });
});
