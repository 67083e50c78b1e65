import { startServiceUnderTest, type ServiceUnderTest } from '@conveyor/service-testing';
import { waitFor } from '@conveyor/testing';
import { randomUUID } from 'node:crypto';
import type { JobsConfig } from '../src/jobs.config';
import { jobsService } from '../src/jobs.definition';
import {
  insertPendingJob,
  mostRunningAtOnce,
  planChange,
  reservation,
  startOrder,
  untilApplied,
  watchRunningJobs,
  type PendingJob,
} from './job-processing.fixtures';

jest.setTimeout(60_000);

describe("the worker keeps to each client's plan and submission order (real Postgres and RabbitMQ)", () => {
  let jobs: ServiceUnderTest<JobsConfig>;

  beforeAll(async () => {
    jobs = await startServiceUnderTest(jobsService, {
      WORKER_CONCURRENCY: '8',
      WORKER_POLL_INTERVAL_MS: '100',
      SHUTDOWN_TIMEOUT_MS: '2000',
    });
  });

  afterAll(async () => {
    await jobs?.close();
  });

  /** Submits `count` slow echo jobs one after the other, then has billing reserve them all at once. */
  async function submitAndReserve(userId: string, count: number, delayMs: number): Promise<PendingJob[]> {
    const submitted: PendingJob[] = [];
    for (let i = 0; i < count; i++) submitted.push(await insertPendingJob(jobs.sql, { userId, input: { i, delayMs } }));
    // Billing answers in any order, as its consumer handles messages in parallel.
    await Promise.all([...submitted].reverse().map((job) => jobs.publish(reservation(job))));
    return submitted;
  }

  const allSucceeded = (userId: string, count: number) =>
    waitFor(
      async () =>
        (await jobs.sql(`SELECT 1 FROM jobs.jobs WHERE user_id = $1 AND status = 'succeeded'`, [userId])).length === count,
      { description: `the ${count} jobs of ${userId} to succeed`, timeoutMs: 30_000 },
    );

  it('runs the jobs of a client without a known plan one at a time, in submission order', async () => {
    // given a client billing has not told us a plan for (treated as basic)
    const userId = randomUUID();
    const watcher = await watchRunningJobs(jobs.database.adminUrl);

    // when five jobs are submitted and reserved at once
    const submitted = await submitAndReserve(userId, 5, 150);

    // then never two run at the same time, and they start in the order they were submitted
    await allSucceeded(userId, 5);
    expect((await watcher.stop()).get(userId)).toBe(1);
    expect(await mostRunningAtOnce(jobs.sql, userId)).toBe(1);
    expect(await startOrder(jobs.sql, userId)).toEqual(submitted.map((job) => job.id));
  });

  it('runs up to five jobs at once for a pro client, still starting them in submission order', async () => {
    // given a pro client
    const userId = randomUUID();
    const pro = planChange(userId, 'pro', 5, 2);
    await jobs.publish(pro);
    await untilApplied(jobs.sql, pro.id);
    const watcher = await watchRunningJobs(jobs.database.adminUrl);

    // when eight jobs are submitted and reserved at once
    const submitted = await submitAndReserve(userId, 8, 400);

    // then five run side by side, never more
    await allSucceeded(userId, 8);
    expect((await watcher.stop()).get(userId)).toBe(5);
    expect(await mostRunningAtOnce(jobs.sql, userId)).toBe(5);
    expect(await startOrder(jobs.sql, userId)).toEqual(submitted.map((job) => job.id));
  });

  it('starts a waiting job as soon as a raised plan frees a slot', async () => {
    // given a basic client with one slow job running and one waiting
    const userId = randomUUID();
    const [first, second] = await submitAndReserve(userId, 2, 5_000);
    await waitFor(async () => (await startOrder(jobs.sql, userId)).length === 1, { description: 'the first job to start' });

    // when billing upgrades the client
    await jobs.publish(planChange(userId, 'pro', 5, 2));

    // then the second starts while the first still runs
    await waitFor(async () => (await startOrder(jobs.sql, userId)).length === 2, {
      description: 'the second job to start',
      timeoutMs: 3_000,
    });
    expect(await startOrder(jobs.sql, userId)).toEqual([first.id, second.id]);
    const running = await jobs.sql(`SELECT id FROM jobs.jobs WHERE user_id = $1 AND status = 'running'`, [userId]);
    expect(running).toHaveLength(2);
  });
});
