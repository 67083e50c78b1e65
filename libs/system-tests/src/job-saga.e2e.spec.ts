import { scrapeMetrics, waitFor } from '@conveyor/testing';
import { call, registerAndLogin } from './support/http';
import { startPlatform, type Platform } from './support/platform';
import { runNodeScript } from './support/service-process';

type Client = Awaited<ReturnType<typeof registerAndLogin>> & { apiKey: string };

/** The job lifecycle across auth, billing and jobs, each in its own process. */
describe('the job saga (auth, user, billing and jobs as separate processes)', () => {
  let platform: Platform;
  const url = (service: 'auth' | 'user' | 'billing' | 'jobs') => platform.service(service).url;

  beforeAll(async () => {
    platform = await startPlatform({ services: ['auth', 'user', 'billing', 'jobs'] });
  }, 120_000);
  afterAll(() => platform?.stop());

  /** A registered client with an API key that the jobs service already accepts. */
  async function newClient(): Promise<Client> {
    const user = await registerAndLogin(url('auth'));
    const created = await call(`${url('auth')}/v1/auth/api-keys`, { token: user.token, body: { name: 'saga' } });
    expect(created.status).toBe(201);
    const apiKey = String(created.body['key']);
    await waitFor(async () => (await call(`${url('jobs')}/v1/jobs`, { token: apiKey })).status === 200, {
      description: 'the jobs service to know the API key',
    });
    await waitFor(async () => (await balance(user.token)).status === 200, { description: 'the billing account' });
    return { ...user, apiKey };
  }

  const balance = (token: string) => call(`${url('billing')}/v1/billing/balance`, { token });
  const submit = (client: Client, input: Record<string, unknown>) =>
    call(`${url('jobs')}/v1/jobs`, { token: client.apiKey, body: { type: 'echo', input } });
  const finalState = (client: Client, id: unknown) =>
    waitFor(
      async () => {
        const job = await call(`${url('jobs')}/v1/jobs/${id}`, { token: client.apiKey });
        return ['succeeded', 'failed', 'canceled', 'rejected'].includes(String(job.body['status'])) && job.body;
      },
      { description: `job ${id} to finish`, timeoutMs: 20_000, intervalMs: 100 },
    );
  /** Waits until the client has `expected` credits available and nothing left on hold. */
  const availableCredits = async (client: Client, expected: number) =>
    waitFor(
      async () => {
        const { body } = await balance(client.token);
        return body['available'] === expected && body['reserved'] === 0;
      },
      { description: `the balance to reach ${expected} with no credits on hold` },
    );

  it('runs a job with enough credits to success and charges its cost once', async () => {
    const client = await newClient();
    const submitted = await submit(client, { hello: 'world' });
    expect(submitted.status).toBe(202);

    const job = await finalState(client, submitted.body['id']);

    expect(job).toMatchObject({ status: 'succeeded', result: { hello: 'world' } });
    await availableCredits(client, 9);
  });

  it('releases the reservation of a failed job and of a canceled one', async () => {
    const client = await newClient();

    const failing = await submit(client, { failWith: 'on purpose' });
    expect(await finalState(client, failing.body['id'])).toMatchObject({ status: 'failed' });
    await availableCredits(client, 10);

    const slow = await submit(client, { delayMs: 30_000 });
    await waitFor(async () => (await call(`${url('jobs')}/v1/jobs/${slow.body['id']}`, { token: client.apiKey })).body['status'] === 'running', {
      description: 'the slow job to run',
    });
    const canceled = await call(`${url('jobs')}/v1/jobs/${slow.body['id']}/cancel`, { token: client.apiKey, body: {} });
    expect(canceled.status).toBe(200);
    expect(await finalState(client, slow.body['id'])).toMatchObject({ status: 'canceled' });
    await availableCredits(client, 10);
  });

  it('rejects a job when the credits are spent, leaving the balance as it was', async () => {
    const client = await newClient();
    const spend = [];
    for (let i = 0; i < 10; i++) spend.push((await submit(client, { i })).body['id']);
    for (const id of spend) await finalState(client, id);
    await availableCredits(client, 0);

    const refused = await submit(client, { one: 'too many' });

    expect(await finalState(client, refused.body['id'])).toMatchObject({ status: 'rejected', reason: 'insufficient_credits' });
    expect((await balance(client.token)).body['available']).toBe(0);
  }, 60_000);

  it('runs the jobs of a basic client one at a time, in the order they were submitted', async () => {
    const client = await newClient();
    const ids: unknown[] = [];
    for (let i = 0; i < 5; i++) ids.push((await submit(client, { i, delayMs: 300 })).body['id']);

    // watch the running jobs until all five are done
    let mostAtOnce = 0;
    await waitFor(
      async () => {
        const running = await call(`${url('jobs')}/v1/jobs?status=running`, { token: client.apiKey });
        mostAtOnce = Math.max(mostAtOnce, (running.body['items'] as unknown[]).length);
        const done = await call(`${url('jobs')}/v1/jobs?status=succeeded`, { token: client.apiKey });
        return (done.body['items'] as unknown[]).length === 5;
      },
      { description: 'all five jobs to succeed', timeoutMs: 20_000, intervalMs: 25 },
    );

    expect(mostAtOnce).toBe(1);
    const jobs = await Promise.all(ids.map(async (id) => (await call(`${url('jobs')}/v1/jobs/${id}`, { token: client.apiKey })).body));
    const starts = jobs.map((job) => Date.parse(String(job['startedAt'])));
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
    for (let i = 1; i < jobs.length; i++) {
      expect(Date.parse(String(jobs[i]['startedAt']))).toBeGreaterThanOrEqual(Date.parse(String(jobs[i - 1]['finishedAt'])));
    }
    await availableCredits(client, 5);
  }, 60_000);

  it("keeps one client's jobs away from another (404)", async () => {
    const [a, b] = [await newClient(), await newClient()];
    const job = await submit(a, { private: true });

    expect((await call(`${url('jobs')}/v1/jobs/${job.body['id']}`, { token: b.apiKey })).status).toBe(404);
    expect((await call(`${url('jobs')}/v1/jobs/${job.body['id']}`, { token: b.token })).status).toBe(404);
    expect((await call(`${url('jobs')}/v1/jobs/${job.body['id']}/cancel`, { token: b.apiKey, body: {} })).status).toBe(404);
  });

  it('refuses an API key within a second of its revocation at the auth service', async () => {
    const client = await newClient();
    const keys = await call(`${url('auth')}/v1/auth/api-keys`, { token: client.token });
    const keyId = (keys.body as unknown as { id: string }[])[0].id;

    const revoked = await call(`${url('auth')}/v1/auth/api-keys/${keyId}`, { method: 'DELETE', token: client.token });
    const revokedAt = Date.now();
    expect(revoked.status).toBe(204);

    await waitFor(async () => (await call(`${url('jobs')}/v1/jobs`, { token: client.apiKey })).status === 401, {
      description: 'the revoked key to be refused',
      timeoutMs: 1_000,
      intervalMs: 20,
    });
    expect(Date.now() - revokedAt).toBeLessThan(1_000);
  });

  it('seeds two demo clients with their plans, credits and a working API key, and can seed again', async () => {
    const seedOnce = async () => {
      const { exit, output } = runNodeScript('infrastructure/local/seed.mjs', {
        AUTH_URL: url('auth'),
        BILLING_URL: url('billing'),
      });
      expect(await exit).toBe(0);
      return output.join('\n').match(/ck_live_[0-9A-Za-z]+/g) ?? [];
    };

    const first = await seedOnce();
    const second = await seedOnce();

    expect(first).toHaveLength(2);
    expect(second).toHaveLength(2);
    const [basicKey, proKey] = second;
    for (const [key, credits] of [[basicKey, 10], [proKey, 100]] as const) {
      await waitFor(async () => (await call(`${url('jobs')}/v1/jobs`, { token: key })).status === 200, {
        description: 'the seeded key to work',
      });
      const login = await call(`${url('auth')}/v1/auth/login`, {
        body: { email: key === basicKey ? 'demo-basic@conveyor.local' : 'demo-pro@conveyor.local', password: 'conveyor-demo-password' },
      });
      expect((await balance(String(login.body['accessToken']))).body).toMatchObject({ available: credits });
    }
    // the first run's keys were revoked by the second
    await waitFor(async () => (await call(`${url('jobs')}/v1/jobs`, { token: first[0] })).status === 401, {
      description: "the first run's key to be revoked",
    });
  }, 60_000);

  it('exposes Prometheus metrics on every service, showing the saga\'s events published and consumed', async () => {
    // given at least one job through the saga (the tests above)
    const scrapes = Object.fromEntries(
      await Promise.all((['auth', 'user', 'billing', 'jobs'] as const).map(async (name) => [name, await scrapeMetrics(url(name))])),
    );
    // then each service's metrics parse, and the events crossed from one service to the other
    expect(scrapes.jobs.value('conveyor_outbox_published_total', { type: 'jobs.job.submitted.v1' })).toBeGreaterThan(0);
    expect(
      scrapes.billing.value('conveyor_events_consumed_total', { type: 'jobs.job.submitted.v1', outcome: 'applied' }),
    ).toBeGreaterThan(0);
    expect(scrapes.billing.value('conveyor_outbox_published_total', { type: 'billing.credits.reserved.v1' })).toBeGreaterThan(0);
    expect(scrapes.user.value('conveyor_events_consumed_total', { type: 'auth.user.registered.v1', outcome: 'applied' })).toBeGreaterThan(0);
    expect(scrapes.auth.value('http_requests_total', { route: '/v1/auth/register', status: '201' })).toBeGreaterThan(0);
  });
});
