import { Logger } from '@nestjs/common';
import { OutboxWriter } from '@conveyor/outbox';
import { dataSourceOptions, runMigrations } from '@conveyor/persistence';
import { createTestDatabase, waitFor, type TestDatabase } from '@conveyor/testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { JobWorker } from '../src/jobs/run-jobs/job-worker';
import { jobsService } from '../src/jobs.definition';
import { EchoProcessor } from '../src/processors/echo.processor';
import type { JobProcessor } from '../src/processors/job-processor';
import { ProcessorRegistry } from '../src/processors/processor-registry';
import { eventTypes, jobState, untilStatus, type Sql } from './job-processing.fixtures';

jest.setTimeout(30_000);

/**
 * Workers built by hand, each with a pool of its own as separate processes would have, so
 * that their leases can be shorter than JOB_LEASE_SECONDS allows (1–2 s): several lease
 * periods then pass in a few seconds. Each worker also reaps, so a lease that ran out would
 * be noticed by the other one within its 50 ms poll.
 */
describe('workers keep the leases of the jobs they run (real Postgres)', () => {
  let database: TestDatabase;
  let admin: DataSource;
  let sql: Sql;
  const dataSources: DataSource[] = [];
  const workers: JobWorker[] = [];
  /** When each job's processor saw its signal abort. */
  const abortedAt = new Map<string, number>();

  const echo = new EchoProcessor();
  const watchedEcho: JobProcessor = {
    type: 'echo',
    inputSchema: echo.inputSchema,
    process: (input, context) => {
      context.signal.addEventListener('abort', () => abortedAt.set(context.jobId, Date.now()));
      return echo.process(input, context);
    },
  };

  beforeAll(async () => {
    // The warnings of a worker cut off from its database are expected here.
    Logger.overrideLogger(false);
    database = await createTestDatabase();
    await runMigrations({ url: database.urlFor('jobs'), schema: 'jobs', migrations: jobsService.migrations });
    admin = new DataSource(dataSourceOptions({ url: database.adminUrl, schema: 'jobs', poolSize: 2 }));
    await admin.initialize();
    sql = (text, params) => admin.query(text, params);
  });

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
    const pools = dataSources.splice(0).filter((dataSource) => dataSource.isInitialized);
    await Promise.all(pools.map((dataSource) => dataSource.destroy()));
  });

  afterAll(async () => {
    await admin?.destroy();
    await database?.drop();
  });

  async function startWorker(leaseSeconds: number): Promise<{ worker: JobWorker; dataSource: DataSource }> {
    const dataSource = new DataSource(dataSourceOptions({ url: database.urlFor('jobs'), schema: 'jobs', poolSize: 3 }));
    await dataSource.initialize();
    const worker = new JobWorker({
      dataSource,
      outbox: new OutboxWriter('jobs'),
      processors: new ProcessorRegistry([watchedEcho]),
      pollIntervalMs: 50,
      concurrency: 1,
      finishGraceMs: 100,
      abortGraceMs: 100,
      leaseSeconds,
    });
    dataSources.push(dataSource);
    workers.push(worker);
    worker.start();
    return { worker, dataSource };
  }

  async function queueEcho(input: Record<string, unknown>): Promise<string> {
    const id = randomUUID();
    await sql(`INSERT INTO jobs.jobs (id, user_id, type, input, status, queued_at) VALUES ($1, $2, 'echo', $3, 'queued', now())`, [
      id,
      randomUUID(),
      JSON.stringify(input),
    ]);
    return id;
  }

  const leaseOf = async (jobId: string) =>
    (await sql<{ lease_expires_at: Date | null }>(`SELECT lease_expires_at FROM jobs.jobs WHERE id = $1`, [jobId]))[0].lease_expires_at;

  it('renews the lease of a job that runs for several lease periods, so no other worker takes it', async () => {
    // given a worker with a 1 s lease running a job that takes four seconds
    await startWorker(1);
    const id = await queueEcho({ delayMs: 4_000, which: 'long' });
    await untilStatus(sql, id, 'running');

    // and another worker that would free the job, and run it, if its lease ran out
    await startWorker(1);

    // when the job runs, the lease is seen moving on and never ran out
    const leases = new Set<number>();
    const done = await waitFor(
      async () => {
        const [row] = await sql<{ status: string; lease: Date | null; held: boolean }>(
          `SELECT status, lease_expires_at AS lease, lease_expires_at > now() AS held FROM jobs.jobs WHERE id = $1`,
          [id],
        );
        if (row.status !== 'running') return row;
        expect(row.held).toBe(true);
        leases.add(row.lease?.getTime() ?? 0);
        return undefined;
      },
      { description: 'the long job to end', timeoutMs: 10_000, intervalMs: 100 },
    );

    // then it ran once, to the end, under a lease renewed every third of a second
    expect(done.status).toBe('succeeded');
    expect(await jobState(sql, id)).toMatchObject({ attempts: 1, result: { which: 'long' } });
    expect(await eventTypes(sql, id)).toEqual(['jobs.job.started.v1', 'jobs.job.succeeded.v1']);
    expect(leases.size).toBeGreaterThanOrEqual(6);
    expect(abortedAt.has(id)).toBe(false);
  });

  it('stops a run whose lease it cannot renew before the lease runs out, and another worker runs the job', async () => {
    // given a worker with a 2 s lease running a job that takes three seconds
    const holder = await startWorker(2);
    const id = await queueEcho({ delayMs: 3_000, which: 'cut off' });
    await untilStatus(sql, id, 'running');
    await startWorker(2);

    // when the holder can no longer reach the database (its last lease stays as it was)
    await holder.dataSource.destroy();
    const lease = await leaseOf(id);

    // then it aborts the run while the lease still holds, before anyone could take the job
    await waitFor(() => abortedAt.has(id), { description: 'the holder to abort its run', timeoutMs: 5_000 });
    expect(abortedAt.get(id)).toBeLessThan(lease?.getTime() ?? 0);

    // and once the lease has run out, the other worker runs the job again, to the end
    const done = await untilStatus(sql, id, 'succeeded', 10_000);
    expect(done).toMatchObject({ attempts: 2, result: { which: 'cut off' } });
    expect(await eventTypes(sql, id)).toEqual(['jobs.job.started.v1', 'jobs.job.started.v1', 'jobs.job.succeeded.v1']);
  });
});
