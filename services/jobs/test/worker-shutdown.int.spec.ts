import { loadConfig } from '@conveyor/config';
import { topologyNames } from '@conveyor/messaging';
import { OutboxWriter } from '@conveyor/outbox';
import { dataSourceOptions, runMigrations } from '@conveyor/persistence';
import { createServiceApp, type RunningService } from '@conveyor/platform';
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
      queues: [names.queue, names.deadLetterQueue, names.workQueue],
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

  it('leaves the job of a processor that ignores the abort running, until its lease runs out and another worker takes it', async () => {
    // given two workers of their own (no service instance runs now), each with a pool of its
    // own and a 1 s lease; the first one's processor does not listen to its signal
    let finish: (result: unknown) => void = () => undefined;
    const stubborn: JobProcessor = {
      type: 'stubborn',
      inputSchema: Joi.object(),
      process: () => new Promise((resolve) => (finish = resolve)),
    };
    const prompt: JobProcessor = { type: 'stubborn', inputSchema: Joi.object(), process: async () => ({ second: true }) };
    const dataSources = [1, 2].map(() => new DataSource(dataSourceOptions({ url: config.DATABASE_URL, schema: 'jobs', poolSize: 2 })));
    await Promise.all(dataSources.map((dataSource) => dataSource.initialize()));
    const worker = (dataSource: DataSource, processor: JobProcessor) =>
      new JobWorker({
        dataSource,
        outbox: new OutboxWriter('jobs'),
        processors: new ProcessorRegistry([processor]),
        pollIntervalMs: 50,
        concurrency: 1,
        finishGraceMs: 50,
        abortGraceMs: 50,
        leaseSeconds: 1,
      });
    const [first, second] = [worker(dataSources[0], stubborn), worker(dataSources[1], prompt)];
    try {
      const id = randomUUID();
      await sql(`INSERT INTO jobs.jobs (id, user_id, type, input, status) VALUES ($1, $2, 'stubborn', '{}', 'queued')`, [
        id,
        randomUUID(),
      ]);
      first.start();
      await untilStatus(sql, id, 'running');

      // when the first worker stops, its processor still running
      await first.stop();

      // then the job is not handed back while that processor may still be running it
      expect(first.runningJobs()).toEqual([id]);
      expect(await jobState(sql, id)).toMatchObject({ status: 'running', attempts: 1 });

      // and when its lease has run out, another worker frees it and runs it as a second attempt
      second.start();
      const done = await untilStatus(sql, id, 'succeeded');
      expect(done).toMatchObject({ attempts: 2, result: { second: true } });

      // and what the first processor reports afterwards changes nothing
      finish({ late: true });
      await waitFor(() => first.runningJobs().length === 0, { description: 'the late run to end' });
      expect(await jobState(sql, id)).toEqual(done);
      expect(await eventTypes(sql, id)).toEqual(['jobs.job.started.v1', 'jobs.job.started.v1', 'jobs.job.succeeded.v1']);
    } finally {
      await second.stop();
      await Promise.all(dataSources.map((dataSource) => dataSource.destroy()));
    }
  });
});
