import { freePorts, waitFor } from '@conveyor/testing';
import { Client } from 'pg';
import { startPlatform, type Platform } from './support/platform';
import { newSdkClient } from './support/sdk';
import { startServiceProcess, type ServiceProcess } from './support/service-process';

/**
 * A worker process killed in the middle of a job: the job's lease runs out, another worker
 * process runs it again, and it ends exactly once (one final event, one charge).
 */
describe('a jobs worker process killed mid-job (separate processes)', () => {
  let platform: Platform;
  const workers: ServiceProcess[] = [];

  beforeAll(async () => {
    // The platform's jobs process serves the API only; the jobs run in worker processes.
    platform = await startPlatform({
      services: ['auth', 'user', 'billing', 'jobs'],
      env: { JOBS_ROLE: 'api', JOB_LEASE_SECONDS: '5', WORKER_POLL_INTERVAL_MS: '100' },
    });
  }, 120_000);
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await platform?.stop();
  });

  async function startWorker(): Promise<ServiceProcess> {
    const env = { ...platform.env, JOBS_ROLE: 'worker', DATABASE_URL: platform.db.urlFor('jobs') };
    const [port] = await freePorts(1);
    const worker = await startServiceProcess('jobs', port as number, env);
    workers.push(worker);
    return worker;
  }

  it('reruns the job in another worker and records its end once', async () => {
    // given a client with an API key the jobs service knows, and credit
    const { client } = await newSdkClient(platform);
    const doomed = await startWorker();

    // when a slow job is running in the first worker, and that worker is killed
    const { id } = await client.jobs.submit({ type: 'echo', input: { delayMs: 2_000 } });
    await waitFor(async () => (await client.jobs.get(id)).status === 'running', {
      description: 'the job to start',
      timeoutMs: 20_000,
    });
    await doomed.kill();
    await startWorker();

    // then the second worker runs it to success, on its second attempt
    const done = await client.jobs.waitForJob(id, { mode: 'poll', pollIntervalMs: 200, timeoutMs: 30_000 });
    expect(done).toMatchObject({ status: 'succeeded', attempts: 2 });
    // and exactly one success was written, and billing charged exactly once
    expect(await outboxCount(platform.db.adminUrl, id, 'jobs.job.succeeded.v1')).toBe(1);
    await waitFor(
      async () => {
        const balance = await client.billing.balance();
        return balance.available === 9 && balance.reserved === 0;
      },
      { description: 'one credit captured and nothing left on hold' },
    );
  });
});

async function outboxCount(adminUrl: string, jobId: string, type: string): Promise<number> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM jobs.outbox WHERE envelope->>'subject' = $1 AND event_type = $2`, [jobId, type]);
    return rows[0].n;
  } finally {
    await client.end();
  }
}
