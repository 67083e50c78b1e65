import { createServiceApp, type RunningService } from '@conveyor/platform';
import { startServiceUnderTest, type ServiceUnderTest } from '@conveyor/service-testing';
import type { JobsConfig } from '../src/jobs.config';
import { jobsService } from '../src/jobs.definition';
import {
  eventTypes,
  insertPendingJob,
  jobState,
  reservation,
  untilApplied,
  untilStatus,
  type Sql,
} from './job-processing.fixtures';

jest.setTimeout(30_000);

/** The job's status changes in order, with their times, from the status log. */
const statusHistory = (sql: Sql, jobId: string) =>
  sql<{ status: string; at: Date }>(`SELECT status, at FROM jobs.job_status_log WHERE job_id = $1 ORDER BY id`, [jobId]);

describe('retries, run time limits and process roles of the worker (real Postgres and RabbitMQ)', () => {
  let jobs: ServiceUnderTest<JobsConfig>;

  beforeAll(async () => {
    jobs = await startServiceUnderTest(jobsService, {
      WORKER_POLL_INTERVAL_MS: '50',
      JOB_RETRY_BASE_DELAY_MS: '300',
      JOB_TIMEOUTS_MS: JSON.stringify({ echo: 400 }),
    });
  });
  afterAll(() => jobs?.close());

  it('retries a transient failure after an exponential, jittered delay, and succeeds', async () => {
    // given a job that fails transiently on its first two runs
    const job = await insertPendingJob(jobs.sql, { input: { text: 'third time lucky', transientFailures: 2 } });

    // when
    await jobs.publish(reservation(job));

    // then it succeeds on its third run
    const done = await untilStatus(jobs.sql, job.id, 'succeeded');
    expect(done).toMatchObject({ attempts: 3, result: { text: 'third time lucky' } });
    // and waited at least 80 % of 300 ms, then of 600 ms, before the second and third runs
    const history = await statusHistory(jobs.sql, job.id);
    expect(history.map((change) => change.status)).toEqual([
      'pending',
      'queued',
      'running',
      'queued',
      'running',
      'queued',
      'running',
      'succeeded',
    ]);
    const at = history.map((change) => change.at.getTime());
    const waited = (queuedIndex: number) => (at[queuedIndex + 1] ?? NaN) - (at[queuedIndex] ?? NaN);
    expect(waited(3)).toBeGreaterThanOrEqual(240);
    expect(waited(5)).toBeGreaterThanOrEqual(480);
    // and only one started event per run reached the outbox, with no failure
    expect(await eventTypes(jobs.sql, job.id)).toEqual([
      'jobs.job.started.v1',
      'jobs.job.started.v1',
      'jobs.job.started.v1',
      'jobs.job.succeeded.v1',
    ]);
  });

  it('fails a job whose every run outlasts its type limit with JOBS.JOB_TIMEOUT, after all attempts', async () => {
    // given a job that takes longer than the 400 ms the test allows echo
    const job = await insertPendingJob(jobs.sql, { input: { delayMs: 5_000 } });

    // when
    await jobs.publish(reservation(job));

    // then each run was aborted at the limit and the third one failed the job
    const failed = await untilStatus(jobs.sql, job.id, 'failed');
    expect(failed).toMatchObject({ attempts: 3, error_code: 'JOBS.JOB_TIMEOUT' });
    const runs = (await statusHistory(jobs.sql, job.id)).filter((change) => change.status === 'running');
    expect(runs).toHaveLength(3);
  });

  it('does not hold back a client’s later jobs while one waits for its retry', async () => {
    // given a client whose first job fails transiently once, waiting 300 ms or more
    const first = await insertPendingJob(jobs.sql, { input: { transientFailures: 1 } });
    const second = await insertPendingJob(jobs.sql, { userId: first.userId, input: { n: 2 } });

    // when both are reserved
    await jobs.publish(reservation(first));
    await jobs.publish(reservation(second));

    // then the second finishes while the first waits, and the first succeeds afterwards
    await untilStatus(jobs.sql, second.id, 'succeeded');
    const firstNow = await jobState(jobs.sql, first.id);
    expect(['queued', 'running', 'succeeded']).toContain(firstNow.status);
    await untilStatus(jobs.sql, first.id, 'succeeded');
  });
});

describe('process roles of the jobs service (real Postgres and RabbitMQ)', () => {
  let api: ServiceUnderTest<JobsConfig>;
  let worker: RunningService | undefined;
  let workerUrl: string;

  beforeAll(async () => {
    api = await startServiceUnderTest(jobsService, { JOBS_ROLE: 'api', WORKER_POLL_INTERVAL_MS: '50' });
  });
  afterAll(async () => {
    await worker?.stop();
    await api?.close();
  });

  it('leaves queued jobs to worker processes, which serve no job routes', async () => {
    // given an api process that has queued a job billing reserved
    const job = await insertPendingJob(api.sql, { input: { n: 1 } });
    const reserved = reservation(job);
    await api.publish(reserved);
    await untilApplied(api.sql, reserved.id);
    expect((await jobState(api.sql, job.id)).status).toBe('queued');

    // when a worker process starts on the same database
    worker = await createServiceApp(jobsService, { ...api.config, JOBS_ROLE: 'worker' as const, HTTP_PORT: 0 });
    workerUrl = await worker.start();

    // then the worker runs the job
    const done = await untilStatus(api.sql, job.id, 'succeeded');
    expect(done.attempts).toBe(1);
    // and only the api process serves the job routes; both serve health
    expect((await fetch(`${workerUrl}/v1/jobs`)).status).toBe(404);
    expect((await fetch(`${api.url}/v1/jobs`)).status).toBe(401);
    expect((await fetch(`${workerUrl}/health/live`)).status).toBe(200);
  });
});
