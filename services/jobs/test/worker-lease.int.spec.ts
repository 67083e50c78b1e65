import { parseEvent } from '@conveyor/contracts';
import { OutboxWriter } from '@conveyor/outbox';
import { dataSourceOptions } from '@conveyor/persistence';
import { startServiceUnderTest, type ServiceUnderTest } from '@conveyor/service-testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { JobFinisher } from '../src/jobs/run-jobs/finish-job';
import { JOB_ROW_COLUMNS, type JobRow } from '../src/jobs/run-jobs/job-row';
import type { JobsConfig } from '../src/jobs.config';
import { jobsService } from '../src/jobs.definition';
import { eventTypes, jobState, outboxEvents, startOrder, untilStatus, type Sql } from './job-processing.fixtures';

jest.setTimeout(30_000);

/**
 * A worker that died is simulated by rows only: a job `running` at some attempt, with a lease
 * in a worker's name that no process renews. The service's own worker is the live one.
 */
describe('jobs whose worker was lost (real Postgres and RabbitMQ)', () => {
  let jobs: ServiceUnderTest<JobsConfig>;
  let dataSource: DataSource;
  let finisher: JobFinisher;

  beforeAll(async () => {
    jobs = await startServiceUnderTest(jobsService, { WORKER_POLL_INTERVAL_MS: '50', SHUTDOWN_TIMEOUT_MS: '2000' });
    dataSource = new DataSource(dataSourceOptions({ url: jobs.config.DATABASE_URL, schema: 'jobs', poolSize: 2 }));
    await dataSource.initialize();
    // What the dead worker would write if it were only slow, and reported after all.
    finisher = new JobFinisher(dataSource, new OutboxWriter('jobs'));
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await jobs?.close();
  });

  /** A job its worker claimed (`attempts` times in all) and then died with; its lease still runs. */
  async function jobOfDeadWorker(sql: Sql, userId: string, attempts: number, input: object): Promise<string> {
    const id = randomUUID();
    await sql(
      `INSERT INTO jobs.jobs (id, user_id, type, input, status, attempts, queued_at, started_at, lease_expires_at, worker_id)
       VALUES ($1, $2, 'echo', $3, 'running', $4, now() - interval '1 minute', now() - interval '30 seconds',
               now() + interval '1 hour', 'dead-host/4242/0badc0de')`,
      [id, userId, JSON.stringify(input), attempts],
    );
    return id;
  }

  async function queuedJob(sql: Sql, userId: string, input: object): Promise<string> {
    const id = randomUUID();
    await sql(`INSERT INTO jobs.jobs (id, user_id, type, input, status, queued_at) VALUES ($1, $2, 'echo', $3, 'queued', now())`, [
      id,
      userId,
      JSON.stringify(input),
    ]);
    return id;
  }

  /** Time passes and nobody renews: the lease runs out. */
  const leaseRunsOut = (sql: Sql, jobId: string) =>
    sql(`UPDATE jobs.jobs SET lease_expires_at = now() - interval '1 second' WHERE id = $1`, [jobId]);

  /** The job as the dead worker claimed it, at the attempt it ran. */
  async function asClaimed(jobId: string, attempts: number): Promise<JobRow> {
    const [row] = await dataSource.query(`SELECT ${JOB_ROW_COLUMNS('j')} FROM jobs.jobs j WHERE j.id = $1`, [jobId]);
    return { ...row, attempts };
  }

  it("queues the job of a dead worker again once its lease runs out, runs it first, then the client's next job", async () => {
    // given a basic client (one job at a time) whose slot is held by a job its worker died
    // with, and a job waiting behind it
    const userId = randomUUID();
    const lost = await jobOfDeadWorker(jobs.sql, userId, 1, { which: 'lost' });
    const next = await queuedJob(jobs.sql, userId, { which: 'next' });

    // when the dead worker's lease runs out
    await leaseRunsOut(jobs.sql, lost);

    // then the live worker runs the lost job again, as its second attempt, and then the next one
    const done = await untilStatus(jobs.sql, lost, 'succeeded');
    expect(done).toMatchObject({ attempts: 2, result: { which: 'lost' }, error_code: null });
    await untilStatus(jobs.sql, next, 'succeeded');
    expect(await startOrder(jobs.sql, userId)).toEqual([lost, next]);
    const events = await outboxEvents(jobs.sql, lost);
    expect(events.map((event) => event.type)).toEqual(['jobs.job.started.v1', 'jobs.job.succeeded.v1']);
    expect(events[0].data).toMatchObject({ attempt: 2 });

    // and the dead worker, reporting after all, changes nothing
    expect(await finisher.succeed(await asClaimed(lost, 1), JSON.stringify({ late: true }))).toBe(false);
    expect(await finisher.requeue(await asClaimed(lost, 1))).toBe(false);
    expect(await jobState(jobs.sql, lost)).toEqual(done);
    expect(await eventTypes(jobs.sql, lost)).toEqual(['jobs.job.started.v1', 'jobs.job.succeeded.v1']);
  });

  it('fails the job of a dead worker that had no attempts left, with JOBS.WORKER_LOST and one failed event', async () => {
    // given a job whose worker died during its third run (echo allows three)
    const userId = randomUUID();
    const lost = await jobOfDeadWorker(jobs.sql, userId, 3, { which: 'lost' });
    const next = await queuedJob(jobs.sql, userId, { which: 'next' });
    const [{ started_at: startedAt }] = await jobs.sql<{ started_at: Date }>(`SELECT started_at FROM jobs.jobs WHERE id = $1`, [lost]);

    // when its lease runs out
    await leaseRunsOut(jobs.sql, lost);

    // then it fails for good, with one failed event of the usual shape
    const failed = await untilStatus(jobs.sql, lost, 'failed');
    expect(failed).toMatchObject({ attempts: 3, error_code: 'JOBS.WORKER_LOST', result: null });
    const events = await outboxEvents(jobs.sql, lost);
    expect(events.map((event) => event.type)).toEqual(['jobs.job.failed.v1']);
    expect(parseEvent(events[0])).toMatchObject({ ok: true });
    expect(events[0].data).toEqual({
      jobId: lost,
      userId,
      type: 'echo',
      metadata: {},
      webhookUrl: null,
      submittedAt: expect.any(String),
      status: 'failed',
      startedAt: startedAt.toISOString(),
      finishedAt: failed.finished_at?.toISOString(),
      attempts: 3,
      error: { code: 'JOBS.WORKER_LOST', message: failed.error_message },
    });

    // and the client's slot is free again
    await untilStatus(jobs.sql, next, 'succeeded');

    // and the dead worker, reporting after all, changes nothing
    expect(await finisher.succeed(await asClaimed(lost, 3), JSON.stringify({ late: true }))).toBe(false);
    expect(await jobState(jobs.sql, lost)).toEqual(failed);
    expect(await eventTypes(jobs.sql, lost)).toEqual(['jobs.job.failed.v1']);
  });
});
