import { startServiceUnderTest, type ServiceUnderTest } from '@conveyor/service-testing';
import { waitFor } from '@conveyor/testing';
import { jobsService } from '../src/jobs.definition';
import type { JobsConfig } from '../src/jobs.config';
import { insertPendingJob } from './job-processing.fixtures';

describe('jobs billing never answered for', () => {
  let jobs: ServiceUnderTest<JobsConfig>;

  beforeAll(async () => {
    jobs = await startServiceUnderTest(jobsService, { PENDING_JOB_TIMEOUT_SECONDS: '2' });
  });
  afterAll(() => jobs?.close());

  it('are rejected with billing_timeout once they are older than the timeout, and fresh ones are left alone', async () => {
    // given a job pending for an hour and one just submitted
    const stale = await insertPendingJob(jobs.sql);
    await jobs.sql(`UPDATE jobs.jobs SET created_at = now() - interval '1 hour' WHERE id = $1`, [stale.id]);
    const fresh = await insertPendingJob(jobs.sql);

    // when the sweeper runs (every second with this timeout)
    const [rejected] = await waitFor(
      async () => {
        const rows = await jobs.sql<{ status: string; reason: string }>('SELECT status, reason FROM jobs.jobs WHERE id = $1', [stale.id]);
        return rows[0]?.status === 'rejected' && rows;
      },
      { description: 'the stale job to be rejected' },
    );

    // then it is rejected with an event, and the fresh one still waits for billing
    expect(rejected.reason).toBe('billing_timeout');
    const events = await jobs.sql<{ envelope: { data: { reason: string } } }>(
      `SELECT envelope FROM jobs.outbox WHERE event_type = 'jobs.job.rejected.v1' AND envelope->>'subject' = $1`,
      [stale.id],
    );
    expect(events.map((e) => e.envelope.data.reason)).toEqual(['billing_timeout']);
    const [still] = await jobs.sql<{ status: string }>('SELECT status FROM jobs.jobs WHERE id = $1', [fresh.id]);
    expect(still.status).toBe('pending');
  });
});
