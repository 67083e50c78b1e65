import { signAccessToken, startServiceUnderTest, type ServiceUnderTest } from '@conveyor/service-testing';
import { waitFor } from '@conveyor/testing';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type { JobsConfig } from '../src/jobs.config';
import { jobsService } from '../src/jobs.definition';
import { reservation, untilStatus } from './job-processing.fixtures';

jest.setTimeout(30_000);

/** The platform's operator routes, exercised on the jobs service with a real broker and database. */
describe('operator tools: dead letters and the outbox (real Postgres and RabbitMQ)', () => {
  let jobs: ServiceUnderTest<JobsConfig>;
  let admin: string;

  beforeAll(async () => {
    // One redelivery, then the broker dead-letters a message whose handler keeps failing.
    jobs = await startServiceUnderTest(jobsService, { AMQP_DELIVERY_LIMIT: '1', WORKER_POLL_INTERVAL_MS: '50' });
    admin = await signAccessToken({ roles: ['user', 'admin'] });
  });
  afterAll(() => jobs?.close());

  it('lists a dead letter with why it failed, and replays it once its cause is gone: it is applied once', async () => {
    // given billing's reservation for a job this service does not have yet (JOBS.UNKNOWN_JOB)
    const job = { id: randomUUID(), userId: randomUUID() };
    const reserved = reservation(job);
    await jobs.publish(reserved);

    // then, after its deliveries failed, it is listed with its first error
    const listed = await waitFor(
      async () => {
        const reply = await jobs.request('GET', '/admin/dead-letters', { token: admin });
        const items = reply.body['items'] as { id: string }[];
        return items.find((item) => item.id === reserved.id);
      },
      { description: 'the reservation in the dead-letter queue' },
    );
    expect(listed).toMatchObject({
      type: 'billing.credits.reserved.v1',
      reason: 'delivery_limit',
      deliveries: 2,
      failure: { failures: 2, firstError: expect.stringContaining(job.id) },
    });

    // when the job exists after all and the dead letter is replayed
    await jobs.sql(`INSERT INTO jobs.jobs (id, user_id, type, input, metadata, status) VALUES ($1, $2, 'echo', '{}', '{}', 'pending')`, [
      job.id,
      job.userId,
    ]);
    const replayed = await jobs.request('POST', '/admin/dead-letters/replay', { token: admin, body: { id: reserved.id } });
    expect(replayed).toMatchObject({ status: 200, body: { replayed: 1 } });

    // then it is applied, once: the job is queued and runs
    await untilStatus(jobs.sql, job.id, 'succeeded');
    expect(await jobs.sql(`SELECT 1 FROM jobs.inbox WHERE event_id = $1`, [reserved.id])).toHaveLength(1);
    const after = await jobs.request('GET', '/admin/dead-letters', { token: admin });
    expect((after.body['items'] as { id: string }[]).map((item) => item.id)).not.toContain(reserved.id);
  });

  it('discards a dead letter on request', async () => {
    const reserved = reservation({ id: randomUUID(), userId: randomUUID() });
    await jobs.publish(reserved);
    await waitFor(
      async () => ((await jobs.request('GET', '/admin/dead-letters', { token: admin })).body['items'] as { id: string }[]).some((i) => i.id === reserved.id),
      { description: 'the dead letter' },
    );
    const discarded = await jobs.request('POST', '/admin/dead-letters/discard', { token: admin, body: { id: reserved.id } });
    expect(discarded).toMatchObject({ status: 200, body: { discarded: 1 } });
    const items = (await jobs.request('GET', '/admin/dead-letters', { token: admin })).body['items'] as { id: string }[];
    expect(items.map((item) => item.id)).not.toContain(reserved.id);
  });

  it('shows the outbox backlog: nothing consumes jobs events in this spec, so they wait', async () => {
    const token = await signAccessToken();
    expect((await jobs.request('POST', '/v1/jobs', { token, body: { type: 'echo', input: {} } })).status).toBe(202);
    const outbox = await waitFor(
      async () => {
        const reply = await jobs.request('GET', '/admin/outbox', { token: admin });
        return (reply.body['pending'] as number) >= 1 && reply.body;
      },
      { description: 'a pending outbox row' },
    );
    expect(outbox).toMatchObject({ abandoned: 0, oldestPendingAgeSeconds: expect.any(Number), failing: expect.any(Array) });
  });

  it('is for administrators only, and refuses a selection that is neither one id nor all', async () => {
    const user = await signAccessToken();
    expect((await jobs.request('GET', '/admin/dead-letters', { token: user })).status).toBe(403);
    expect((await jobs.request('GET', '/admin/outbox')).status).toBe(401);
    const neither = await jobs.request('POST', '/admin/dead-letters/replay', { token: admin, body: {} });
    expect(neither).toMatchObject({ status: 400, body: { code: 'REQUEST.INVALID' } });
  });

  it('answers the same through `npm run ops` (infrastructure/local/ops.mjs)', async () => {
    const ops = (...args: string[]) =>
      promisify(execFile)(process.execPath, [resolve(__dirname, '../../../infrastructure/local/ops.mjs'), ...args], {
        env: { PATH: process.env['PATH'], CONVEYOR_JOBS_URL: jobs.url, CONVEYOR_ADMIN_TOKEN: admin },
      });
    const listed = JSON.parse((await ops('dlq', 'list', 'jobs', '--limit', '10')).stdout) as { items: unknown[] };
    expect(Array.isArray(listed.items)).toBe(true);
    const outbox = JSON.parse((await ops('outbox', 'jobs')).stdout) as Record<string, unknown>;
    expect(outbox).toMatchObject({ pending: expect.any(Number), abandoned: expect.any(Number) });
    await expect(ops('dlq', 'replay', 'jobs')).rejects.toMatchObject({ code: 2 });
  });
});
