import { createServiceApp, type RunningService } from '@conveyor/platform';
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

describe('plans hold across worker instances on one database (real Postgres and RabbitMQ)', () => {
  let jobs: ServiceUnderTest<JobsConfig>;
  let secondInstance: RunningService;

  beforeAll(async () => {
    // Each instance runs at most two jobs, so three running jobs of one client prove that
    // both instances were claiming that client's jobs at the same time.
    jobs = await startServiceUnderTest(jobsService, {
      WORKER_CONCURRENCY: '2',
      WORKER_POLL_INTERVAL_MS: '50',
      SHUTDOWN_TIMEOUT_MS: '2000',
    });
    secondInstance = await createServiceApp(jobsService, jobs.config);
    await secondInstance.start();
  });

  afterAll(async () => {
    await secondInstance?.stop();
    await jobs?.close();
  });

  async function submitAndReserve(userId: string, count: number, delayMs: number): Promise<PendingJob[]> {
    const submitted: PendingJob[] = [];
    for (let i = 0; i < count; i++) submitted.push(await insertPendingJob(jobs.sql, { userId, input: { i, delayMs } }));
    await Promise.all(submitted.map((job) => jobs.publish(reservation(job))));
    return submitted;
  }

  it("never runs more of a client's jobs than its plan allows, however many instances claim them", async () => {
    // given a client allowed three jobs at once and one without a known plan (one at a time)
    const [three, one] = [randomUUID(), randomUUID()];
    const plan = planChange(three, 'team', 3, 1);
    await jobs.publish(plan);
    await untilApplied(jobs.sql, plan.id);
    const watcher = await watchRunningJobs(jobs.database.adminUrl);

    // when both submit a batch of slow jobs
    const [threes, ones] = await Promise.all([submitAndReserve(three, 12, 250), submitAndReserve(one, 4, 250)]);

    // then
    await waitFor(
      async () => (await jobs.sql(`SELECT 1 FROM jobs.jobs WHERE status = 'succeeded'`)).length === 16,
      { description: 'all 16 jobs to succeed', timeoutMs: 30_000 },
    );
    const highest = await watcher.stop();
    expect(highest.get(three)).toBe(3);
    expect(highest.get(one)).toBe(1);
    expect(await mostRunningAtOnce(jobs.sql, three)).toBe(3);
    expect(await mostRunningAtOnce(jobs.sql, one)).toBe(1);
    expect(await startOrder(jobs.sql, three)).toEqual(threes.map((job) => job.id));
    expect(await startOrder(jobs.sql, one)).toEqual(ones.map((job) => job.id));
  });
});
