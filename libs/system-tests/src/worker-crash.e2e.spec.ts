import { freePorts, waitFor } from '@conveyor/testing';
import { Client } from 'pg';
import { call, registerAndLogin } from './support/http';
import { startPlatform, type Platform } from './support/platform';
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
    const [auth, jobs, billing] = (['auth', 'jobs', 'billing'] as const).map((name) => platform.service(name).url);
    const user = await registerAndLogin(auth);
    const created = await call(`${auth}/v1/auth/api-keys`, { token: user.token, body: { name: 'crash' } });
    const apiKey = String(created.body['key']);
    await waitFor(async () => (await call(`${jobs}/v1/jobs`, { token: apiKey })).status === 200, {
      description: 'the jobs service to know the API key',
    });
    const doomed = await startWorker();

    // when a slow job is running in the first worker, and that worker is killed
    const submitted = await call(`${jobs}/v1/jobs`, { token: apiKey, body: { type: 'echo', input: { delayMs: 2_000 } } });
    expect(submitted.status).toBe(202);
    const jobUrl = `${jobs}/v1/jobs/${submitted.body['id']}`;
    await waitFor(async () => (await call(jobUrl, { token: apiKey })).body['status'] === 'running', {
      description: 'the job to start',
      timeoutMs: 20_000,
    });
    await doomed.kill();
    await startWorker();

    // then the second worker runs it to success, on its second attempt
    const done = await waitFor(
      async () => {
        const job = await call(jobUrl, { token: apiKey });
        return job.body['status'] === 'succeeded' && job.body;
      },
      { description: 'the job to succeed', timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(done['attempts']).toBe(2);
    // and exactly one success was written, and billing charged exactly once
    expect(await outboxCount(platform.db.adminUrl, String(submitted.body['id']), 'jobs.job.succeeded.v1')).toBe(1);
    await waitFor(
      async () => {
        const { body } = await call(`${billing}/v1/billing/balance`, { token: user.token });
        return body['available'] === 9 && body['reserved'] === 0;
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
