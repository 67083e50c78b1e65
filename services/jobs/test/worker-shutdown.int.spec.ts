import { loadConfig } from '@conveyor/config';
import { topologyNames } from '@conveyor/messaging';
import { OutboxWriter } from '@conveyor/outbox';
import { dataSourceOptions, runMigrations } from '@conveyor/persistence';
import { createServiceApp, type RunningService } from '@conveyor/platform';
import { TEST_JWT_SECRET } from '@conveyor/service-testing';
import {
  createTestDatabase,
  deleteBrokerObjects,
  TEST_AMQP_URL,
  uniqueName,
  waitFor,
  type TestDatabase,
} from '@conveyor/testing';
import Joi from 'joi';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { JobWorker } from '../src/jobs/run-jobs/job-worker';
import type { JobsConfig } from '../src/jobs.config';
import type { JobProcessor } from '../src/processors/job-processor';
import { ProcessorRegistry } from '../src/processors/processor-registry';
import { jobsService } from '../src/jobs.definition';
import { eventTypes, jobState, untilStatus, type Sql } from './job-processing.fixtures';

jest.setTimeout(60_000);

/**
 * Services are started and stopped here by hand (not with startServiceUnderTest), so that the
 * database outlives the instance that is shut down.
 */
describe('shutting a worker down (real Postgres and RabbitMQ)', () => {
  const SHUTDOWN_TIMEOUT_MS = 4_000;
  let database: TestDatabase;
  let namespace: string;
  let config: JobsConfig;
  let admin: Client;
  let sql: Sql;
  const started: RunningService[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    namespace = uniqueName('jobs-shutdown');
    config = loadConfig(jobsService.envSchema, {
      DATABASE_URL: database.urlFor('jobs'),
      AMQP_URL: TEST_AMQP_URL,
      AMQP_NAMESPACE: namespace,
      JWT_SECRET: TEST_JWT_SECRET,
      HTTP_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      WORKER_POLL_INTERVAL_MS: '50',
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    });
    await runMigrations({ url: config.DATABASE_URL, schema: 'jobs', migrations: jobsService.migrations });
    admin = new Client({ connectionString: database.adminUrl });
    await admin.connect();
    sql = async <T extends object>(text: string, params: unknown[] = []) => (await admin.query<T>(text, params)).rows;
  });

  afterAll(async () => {
    for (const service of started) await service.stop().catch(() => undefined);
    await admin?.end();
    const names = topologyNames(namespace, 'jobs');
    await deleteBrokerObjects({
      queues: [names.queue, names.deadLetterQueue],
      exchanges: [names.exchange, names.deadLetterExchange],
    });
    await database?.drop();
  });

  async function startInstance(): Promise<RunningService> {
    const service = await createServiceApp(jobsService, config);
    started.push(service);
    await service.start();
    return service;
  }

  /** A job billing has already reserved, as the reservation handler leaves it. */
  async function queueJob(input: Record<string, unknown>): Promise<string> {
    const id = randomUUID();
    await sql(
      `INSERT INTO jobs.jobs (id, user_id, type, input, status, queued_at) VALUES ($1, $2, 'echo', $3, 'queued', now())`,
      [id, randomUUID(), JSON.stringify(input)],
    );
    return id;
  }

  it('lets a short job finish, hands a long one back to the queue, and another instance runs it', async () => {
    // given an instance running a short and a long job
    const first = await startInstance();
    const short = await queueJob({ delayMs: 100, which: 'short' });
    const long = await queueJob({ delayMs: 5_000, which: 'long' });
    await untilStatus(sql, long, 'running');

    // when it shuts down
    const began = Date.now();
    await first.stop();

    // then it stopped within its budget, the short job finished and the long one waits again
    expect(Date.now() - began).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    expect(await jobState(sql, short)).toMatchObject({ status: 'succeeded', result: { which: 'short' } });
    expect(await jobState(sql, long)).toMatchObject({ status: 'queued', attempts: 1, result: null, error_code: null });
    expect(await eventTypes(sql, long)).toEqual(['jobs.job.started.v1']);

    // and when another instance starts, it runs the long job to the end, as a second attempt
    const second = await startInstance();
    const done = await untilStatus(sql, long, 'succeeded', 15_000);
    await second.stop();
    expect(done).toMatchObject({ attempts: 2, result: { which: 'long' } });
    expect(await eventTypes(sql, long)).toEqual(['jobs.job.started.v1', 'jobs.job.started.v1', 'jobs.job.succeeded.v1']);
  });

  it('hands back the job of a processor that ignores the abort, and refuses what it reports later', async () => {
    // given a worker of its own (no service instance runs now) whose processor does not
    // listen to its signal
    let finish: (result: unknown) => void = () => undefined;
    const stubborn: JobProcessor = {
      type: 'stubborn',
      inputSchema: Joi.object(),
      process: () => new Promise((resolve) => (finish = resolve)),
    };
    const dataSource = new DataSource(dataSourceOptions({ url: config.DATABASE_URL, schema: 'jobs', poolSize: 2 }));
    await dataSource.initialize();
    const worker = new JobWorker({
      dataSource,
      outbox: new OutboxWriter('jobs'),
      processors: new ProcessorRegistry([stubborn]),
      pollIntervalMs: 50,
      concurrency: 1,
      finishGraceMs: 50,
      abortGraceMs: 50,
    });
    try {
      const id = randomUUID();
      await sql(`INSERT INTO jobs.jobs (id, user_id, type, input, status) VALUES ($1, $2, 'stubborn', '{}', 'queued')`, [
        id,
        randomUUID(),
      ]);
      worker.start();
      await untilStatus(sql, id, 'running');

      // when the worker stops, then another worker claims the job
      await worker.stop();
      expect(await jobState(sql, id)).toMatchObject({ status: 'queued', attempts: 1 });
      await sql(`UPDATE jobs.jobs SET status = 'running', attempts = 2 WHERE id = $1`, [id]);

      // and the first processor reports its result after all
      finish({ late: true });
      await waitFor(() => worker.runningJobs().length === 0, { description: 'the late run to end' });

      // then it changed nothing: the job belongs to its second attempt
      expect(await jobState(sql, id)).toMatchObject({ status: 'running', attempts: 2, result: null });
      expect(await eventTypes(sql, id)).toEqual(['jobs.job.started.v1']);
    } finally {
      await dataSource.destroy();
    }
  });
});
