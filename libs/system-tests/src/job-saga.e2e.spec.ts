import { ConveyorApiError, type Job } from '@conveyor/client';
import { scrapeMetrics, waitFor } from '@conveyor/testing';
import { startPlatform, type Platform } from './support/platform';
import { newSdkClient, PASSWORD, sdkFor } from './support/sdk';
import { runNodeScript } from './support/service-process';

type Client = Awaited<ReturnType<typeof newSdkClient>>;

/** The job lifecycle across auth, billing and jobs, each in its own process. */
describe('the job saga (auth, user, billing and jobs as separate processes)', () => {
  let platform: Platform;
  const url = (service: 'auth' | 'user' | 'billing' | 'jobs') => platform.service(service).url;

  beforeAll(async () => {
    platform = await startPlatform({ services: ['auth', 'user', 'billing', 'jobs'] });
  }, 120_000);
  afterAll(() => platform?.stop());

  /** A registered client (through the client SDK) with an API key that the jobs service already accepts. */
  const newClient = () => newSdkClient(platform);

  const submit = (client: Client, input: Record<string, unknown>) => client.client.jobs.submit({ type: 'echo', input });
  const finalState = (client: Client, id: string) => client.client.jobs.waitForJob(id, { timeoutMs: 20_000 });
  /** Waits until the client has `expected` credits available and nothing left on hold. */
  const availableCredits = async (client: Client, expected: number) =>
    waitFor(
      async () => {
        const balance = await client.client.billing.balance();
        return balance.available === expected && balance.reserved === 0;
      },
      { description: `the balance to reach ${expected} with no credits on hold` },
    );
  /** The HTTP status a call ends with: 200 for any success, else the problem's. */
  const statusOf = (request: Promise<unknown>) =>
    request.then(
      () => 200,
      (error: unknown) => (error instanceof ConveyorApiError ? error.status : Promise.reject(error)),
    );

  it('runs a job with enough credits to success and charges its cost once', async () => {
    const client = await newClient();
    const submitted = await submit(client, { hello: 'world' });
    expect(submitted.status).toBe('pending');

    const job = await finalState(client, submitted.id);

    expect(job).toMatchObject({ status: 'succeeded', result: { hello: 'world' } });
    await availableCredits(client, 9);
  });

  it('releases the reservation of a failed job and of a canceled one', async () => {
    const client = await newClient();

    const failing = await submit(client, { failWith: 'on purpose' });
    expect(await finalState(client, failing.id)).toMatchObject({ status: 'failed' });
    await availableCredits(client, 10);

    const slow = await submit(client, { delayMs: 30_000 });
    await waitFor(async () => (await client.client.jobs.get(slow.id)).status === 'running', { description: 'the slow job to run' });
    const canceled = await client.client.jobs.cancel(slow.id);
    expect(canceled.status).toBe('canceled');
    expect(await finalState(client, slow.id)).toMatchObject({ status: 'canceled' });
    await availableCredits(client, 10);
  });

  it('rejects a job when the credits are spent, leaving the balance as it was', async () => {
    const client = await newClient();
    const spend: string[] = [];
    for (let i = 0; i < 10; i++) spend.push((await submit(client, { i })).id);
    for (const id of spend) await finalState(client, id);
    await availableCredits(client, 0);

    const refused = await submit(client, { one: 'too many' });

    expect(await finalState(client, refused.id)).toMatchObject({ status: 'rejected', reason: 'insufficient_credits' });
    expect((await client.client.billing.balance()).available).toBe(0);
  }, 60_000);

  it('runs the jobs of a basic client one at a time, in the order they were submitted', async () => {
    const client = await newClient();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await submit(client, { i, delayMs: 300 })).id);

    // watch the running jobs until all five are done
    let mostAtOnce = 0;
    await waitFor(
      async () => {
        const running = await client.client.jobs.list({ status: 'running' });
        mostAtOnce = Math.max(mostAtOnce, running.items.length);
        const done = await client.client.jobs.list({ status: 'succeeded' });
        return done.items.length === 5;
      },
      { description: 'all five jobs to succeed', timeoutMs: 20_000, intervalMs: 25 },
    );

    expect(mostAtOnce).toBe(1);
    const jobs: Job[] = await Promise.all(ids.map((id) => client.client.jobs.get(id)));
    const starts = jobs.map((job) => Date.parse(String(job.startedAt)));
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
    for (let i = 1; i < jobs.length; i++) {
      expect(Date.parse(String(jobs[i].startedAt))).toBeGreaterThanOrEqual(Date.parse(String(jobs[i - 1].finishedAt)));
    }
    await availableCredits(client, 5);
  }, 60_000);

  it("keeps one client's jobs away from another (404)", async () => {
    const [a, b] = [await newClient(), await newClient()];
    const job = await submit(a, { private: true });
    // b signed in, without its API key: the jobs API then takes the access token
    const bWithToken = sdkFor(platform);
    await bWithToken.auth.login({ email: b.email, password: PASSWORD });

    await expect(b.client.jobs.get(job.id)).rejects.toMatchObject({ status: 404, code: 'JOBS.JOB_NOT_FOUND' });
    await expect(bWithToken.jobs.get(job.id)).rejects.toMatchObject({ status: 404 });
    await expect(b.client.jobs.cancel(job.id)).rejects.toMatchObject({ status: 404 });
  });

  it('refuses an API key within a second of its revocation at the auth service', async () => {
    const client = await newClient();
    const [key] = await client.client.auth.listApiKeys();

    await client.client.auth.revokeApiKey(key.id);
    const revokedAt = Date.now();

    await waitFor(async () => (await statusOf(client.client.jobs.list())) === 401, {
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
      const seeded = sdkFor(platform).useApiKey(key);
      await waitFor(() => seeded.jobs.list().then(() => true), { description: 'the seeded key to work' });
      await seeded.auth.login({ email: key === basicKey ? 'demo-basic@conveyor.local' : 'demo-pro@conveyor.local', password: 'conveyor-demo-password' });
      expect(await seeded.billing.balance()).toMatchObject({ available: credits });
    }
    // the first run's keys were revoked by the second
    await waitFor(async () => (await statusOf(sdkFor(platform).useApiKey(first[0]).jobs.list())) === 401, {
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
