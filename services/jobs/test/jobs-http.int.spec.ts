import { startServiceUnderTest, signAccessToken, type Reply, type ServiceUnderTest } from '@conveyor/service-testing';
import { waitFor } from '@conveyor/testing';
import { randomUUID } from 'node:crypto';
import { Client, type Notification } from 'pg';
import type { JobsConfig } from '../src/jobs.config';
import { jobsService } from '../src/jobs.definition';
import { projectedApiKey } from './api-key.fixtures';


const tokenFor = (userId: string) => signAccessToken({ userId });

/** One client, with both kinds of credential. */
interface TestClient {
  userId: string;
  jwt: string;
  apiKey: string;
}

describe('reading, listing and canceling jobs (real Postgres and RabbitMQ)', () => {
  let jobs: ServiceUnderTest<JobsConfig>;

  beforeAll(async () => {
    // A long worker poll: jobs these specs move to `queued` by hand should stay there.
    jobs = await startServiceUnderTest(jobsService, { WORKER_POLL_INTERVAL_MS: '60000' });
  });

  afterAll(async () => {
    await jobs?.close();
  });

  const newClient = async (): Promise<TestClient> => {
    const { userId, key } = await projectedApiKey(jobs);
    return { userId, jwt: await tokenFor(userId), apiKey: key };
  };

  const submit = async (token: string, body: Record<string, unknown> = { type: 'echo', input: {} }) => {
    const reply = await jobs.request('POST', '/v1/jobs', { token, body });
    expect(reply.status).toBe(202);
    return String(reply.body['id']);
  };

  const getJob = (token: string, id: string, headers: Record<string, string> = {}) =>
    fetch(`${jobs.url}/v1/jobs/${id}`, { headers: { authorization: `Bearer ${token}`, ...headers } });

  const setStatus = (id: string, status: string) =>
    jobs.sql(`UPDATE jobs.jobs SET status = $2, version = version + 1, updated_at = now() WHERE id = $1`, [id, status]);

  const expectProblem = (reply: Reply, status: number, code: string) => {
    expect({ status: reply.status, code: reply.body['code'] }).toEqual({ status, code });
    expect(reply.contentType).toMatch(/^application\/problem\+json/);
  };

  describe('GET /v1/jobs/:id', () => {
    it('shows the owner the whole job', async () => {
      const client = await newClient();
      const id = await submit(client.apiKey, {
        type: 'echo',
        input: { hello: 'world' },
        metadata: { order: '7' },
        webhookUrl: 'https://93.184.215.14/hook',
      });

      const reply = await jobs.request('GET', `/v1/jobs/${id}`, { token: client.jwt });

      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({
        id,
        type: 'echo',
        status: 'pending',
        input: { hello: 'world' },
        metadata: { order: '7' },
        webhookUrl: 'https://93.184.215.14/hook',
        reason: null,
        error: null,
        result: null,
        attempts: 0,
        createdAt: expect.any(String),
        queuedAt: null,
        startedAt: null,
        finishedAt: null,
        statusUrl: `/v1/jobs/${id}`,
        // No tracing runs in this spec; job-trace.e2e.spec.ts checks a real trace id.
        traceId: null,
      });
    });

    it('shows the error of a failed job and the reason of a rejected one', async () => {
      const client = await newClient();
      const [failed, rejected] = [await submit(client.jwt), await submit(client.jwt)];
      await jobs.sql(
        `UPDATE jobs.jobs SET status = 'failed', error_code = 'JOBS.ECHO_FAILED', error_message = 'asked to fail' WHERE id = $1`,
        [failed],
      );
      await jobs.sql(`UPDATE jobs.jobs SET status = 'rejected', reason = 'insufficient_credits' WHERE id = $1`, [rejected]);

      const failedView = await jobs.request('GET', `/v1/jobs/${failed}`, { token: client.jwt });
      const rejectedView = await jobs.request('GET', `/v1/jobs/${rejected}`, { token: client.jwt });

      expect(failedView.body).toMatchObject({ status: 'failed', error: { code: 'JOBS.ECHO_FAILED', message: 'asked to fail' } });
      expect(rejectedView.body).toMatchObject({ status: 'rejected', reason: 'insufficient_credits', error: null });
    });

    it('answers a strong ETag, 304 for If-None-Match while the job is unchanged, and a new ETag once it changed', async () => {
      // given
      const client = await newClient();
      const id = await submit(client.jwt);
      const first = await getJob(client.jwt, id);
      const etag = first.headers.get('etag') ?? '';
      expect(etag).toMatch(/^"[^"]+"$/);

      // when / then: unchanged, under any matching spelling
      for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
        const revalidated = await getJob(client.jwt, id, { 'if-none-match': ifNoneMatch });
        expect(revalidated.status).toBe(304);
        expect(revalidated.headers.get('etag')).toBe(etag);
        expect(await revalidated.text()).toBe('');
      }
      expect((await getJob(client.jwt, id, { 'if-none-match': '"something-else"' })).status).toBe(200);

      // when the job changes
      await setStatus(id, 'queued');
      const changed = await getJob(client.jwt, id, { 'if-none-match': etag });

      // then
      expect(changed.status).toBe(200);
      expect(changed.headers.get('etag')).not.toBe(etag);
      expect(await changed.json()).toMatchObject({ id, status: 'queued' });
    });

    it.each([
      ['an unknown id', () => randomUUID()],
      ['an id that is not a UUID', () => 'not-a-uuid'],
      ['a number', () => '42'],
    ])('answers 404 JOBS.JOB_NOT_FOUND for %s', async (_, id) => {
      const client = await newClient();

      expectProblem(await jobs.request('GET', `/v1/jobs/${id()}`, { token: client.jwt }), 404, 'JOBS.JOB_NOT_FOUND');
    });
  });

  describe("one client cannot see or touch another's jobs", () => {
    it.each([
      ['an access token', (c: TestClient) => c.jwt],
      ['an API key', (c: TestClient) => c.apiKey],
    ])('answers 404 to B reading or canceling A’s job, and leaves it out of B’s list, with %s', async (_, credential) => {
      // given A's job
      const [a, b] = [await newClient(), await newClient()];
      const id = await submit(credential(a));
      await submit(credential(b));

      // when B tries
      const read = await jobs.request('GET', `/v1/jobs/${id}`, { token: credential(b) });
      const cancel = await jobs.request('POST', `/v1/jobs/${id}/cancel`, { token: credential(b) });
      const list = await jobs.request('GET', '/v1/jobs', { token: credential(b) });
      const filtered = await jobs.request('GET', '/v1/jobs?status=pending&type=echo', { token: credential(b) });

      // then nothing of A's shows, and A's job is untouched
      expectProblem(read, 404, 'JOBS.JOB_NOT_FOUND');
      expectProblem(cancel, 404, 'JOBS.JOB_NOT_FOUND');
      for (const page of [list, filtered]) {
        const ids = (page.body['items'] as { id: string }[]).map((j) => j.id);
        expect(ids).toHaveLength(1);
        expect(ids).not.toContain(id);
      }
      expect(await jobs.sql('SELECT status, version FROM jobs.jobs WHERE id = $1', [id])).toEqual([{ status: 'pending', version: 1 }]);
      expect((await jobs.request('GET', `/v1/jobs/${id}`, { token: credential(a) })).status).toBe(200);
    });
  });

  describe('GET /v1/jobs', () => {
    const page = async (token: string, query: string) => {
      const reply = await jobs.request('GET', `/v1/jobs?${query}`, { token });
      expect(reply.status).toBe(200);
      return reply.body as { items: { id: string; createdAt: string }[]; nextCursor: string | null };
    };

    it('walks 25 jobs newest first, page by page, without duplicates or gaps', async () => {
      // given
      const client = await newClient();
      for (let i = 0; i < 25; i++) await submit(client.apiKey, { type: 'echo', input: { i } });
      const expected = (
        await jobs.sql<{ id: string }>('SELECT id FROM jobs.jobs WHERE user_id = $1 ORDER BY created_at DESC, id DESC', [client.userId])
      ).map((r) => r.id);

      // when
      const seen: string[] = [];
      const sizes: number[] = [];
      let cursor: string | null = null;
      do {
        const body = await page(client.jwt, `limit=10${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...body.items.map((j) => j.id));
        sizes.push(body.items.length);
        cursor = body.nextCursor;
        // a job submitted while paging is newer than every cursor, so it never shows up later
        if (sizes.length === 1) await submit(client.apiKey);
      } while (cursor);

      // then
      expect(sizes).toEqual([10, 10, 5]);
      expect(seen).toEqual(expected);
      expect(new Set(seen).size).toBe(25);
    });

    it('pages correctly through jobs created at the very same microsecond', async () => {
      const client = await newClient();
      await jobs.sql(
        `INSERT INTO jobs.jobs (id, user_id, type, input, status, created_at)
         SELECT gen_random_uuid(), $1, 'echo', '{}', 'pending', '2025-01-15T09:32:00.123456Z' FROM generate_series(1, 7)`,
        [client.userId],
      );

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const body = await page(client.jwt, `limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...body.items.map((j) => j.id));
        cursor = body.nextCursor;
      } while (cursor);

      expect(seen).toHaveLength(7);
      expect(new Set(seen).size).toBe(7);
      expect(seen).toEqual([...seen].sort().reverse());
    });

    it('returns 20 jobs by default, and filters by status and type', async () => {
      const client = await newClient();
      const ids: string[] = [];
      for (let i = 0; i < 22; i++) ids.push(await submit(client.jwt));
      await setStatus(ids[3], 'canceled');
      await setStatus(ids[5], 'canceled');

      const first = await page(client.jwt, '');
      const canceled = await page(client.jwt, 'status=canceled');
      const echo = await page(client.jwt, 'type=echo&limit=100');
      const other = await page(client.jwt, 'type=image.transform');

      expect(first.items).toHaveLength(20);
      expect(first.nextCursor).toEqual(expect.any(String));
      expect(canceled.items.map((j) => j.id)).toEqual([ids[5], ids[3]]);
      expect(canceled.nextCursor).toBeNull();
      expect(echo.items).toHaveLength(22);
      expect(other.items).toEqual([]);
    });

    it.each([
      ['limit=0', 'REQUEST.INVALID'],
      ['limit=101', 'REQUEST.INVALID'],
      ['limit=ten', 'REQUEST.INVALID'],
      ['status=lost', 'REQUEST.INVALID'],
      ['sort=oldest', 'REQUEST.INVALID'],
      ['cursor=garbage', 'JOBS.INVALID_CURSOR'],
      [`cursor=${Buffer.from('{}').toString('base64url')}`, 'JOBS.INVALID_CURSOR'],
      [`cursor=${Buffer.from('[1,2]').toString('base64url')}`, 'JOBS.INVALID_CURSOR'],
      [`cursor=${Buffer.from(JSON.stringify({ c: '2025-01-15T09:32:00.123456Z', i: 'nope' })).toString('base64url')}`, 'JOBS.INVALID_CURSOR'],
      [`cursor=${Buffer.from(JSON.stringify({ c: '2025-13-45T09:32:00.123456Z', i: randomUUID() })).toString('base64url')}`, 'JOBS.INVALID_CURSOR'],
      [`cursor=${Buffer.from(JSON.stringify({ c: "'; DROP TABLE jobs; --", i: randomUUID() })).toString('base64url')}`, 'JOBS.INVALID_CURSOR'],
    ])('answers 400 %s with %s', async (query, code) => {
      const client = await newClient();

      expectProblem(await jobs.request('GET', `/v1/jobs?${query}`, { token: client.jwt }), 400, code);
    });
  });

  describe('POST /v1/jobs/:id/cancel', () => {
    let listener: Client;
    const notifications: Notification[] = [];

    beforeAll(async () => {
      listener = new Client({ connectionString: jobs.database.adminUrl });
      await listener.connect();
      listener.on('notification', (n) => notifications.push(n));
      await listener.query('LISTEN jobs_job_canceled');
    });

    afterAll(async () => {
      await listener?.end();
    });

    const canceledEvents = (id: string) =>
      jobs.sql<{ envelope: { data: Record<string, unknown> } }>(
        `SELECT envelope FROM jobs.outbox WHERE event_type = 'jobs.job.canceled.v1' AND envelope->>'subject' = $1`,
        [id],
      );

    it.each(['pending', 'queued', 'running'])(
      'cancels a %s job: 200 with the job, its canceled event and a NOTIFY for the worker',
      async (from) => {
        // given
        const client = await newClient();
        const id = await submit(client.apiKey, { type: 'echo', input: {}, metadata: { order: '9' } });
        if (from !== 'pending') await setStatus(id, from);

        // when
        const reply = await jobs.request('POST', `/v1/jobs/${id}/cancel`, { token: client.apiKey });

        // then
        expect(reply.status).toBe(200);
        expect(reply.body).toMatchObject({ id, status: 'canceled', finishedAt: expect.any(String), statusUrl: `/v1/jobs/${id}` });
        const events = await canceledEvents(id);
        expect(events).toHaveLength(1);
        expect(events[0].envelope.data).toEqual({
          jobId: id,
          userId: client.userId,
          type: 'echo',
          metadata: { order: '9' },
          webhookUrl: null,
          submittedAt: reply.body['createdAt'],
          status: 'canceled',
          canceledFrom: from,
          canceledAt: reply.body['finishedAt'],
        });
        await waitFor(() => notifications.some((n) => n.channel === 'jobs_job_canceled' && n.payload === id), {
          description: 'the cancel notification',
        });
      },
    );

    it.each(['succeeded', 'failed', 'rejected', 'canceled'])(
      'answers 409 JOBS.NOT_CANCELABLE for a %s job and changes nothing',
      async (status) => {
        const client = await newClient();
        const id = await submit(client.jwt);
        await setStatus(id, status);
        const [before] = await jobs.sql('SELECT status, version, finished_at FROM jobs.jobs WHERE id = $1', [id]);

        const reply = await jobs.request('POST', `/v1/jobs/${id}/cancel`, { token: client.jwt });

        expectProblem(reply, 409, 'JOBS.NOT_CANCELABLE');
        expect(reply.body).toMatchObject({ status: 409 });
        expect(await jobs.sql('SELECT status, version, finished_at FROM jobs.jobs WHERE id = $1', [id])).toEqual([before]);
        expect(await canceledEvents(id)).toHaveLength(0);
        expect(notifications.some((n) => n.payload === id)).toBe(false);
      },
    );

    it('cancels a job once when asked twice at the same time', async () => {
      const client = await newClient();
      const id = await submit(client.jwt);

      const replies = await Promise.all([1, 2, 3].map(() => jobs.request('POST', `/v1/jobs/${id}/cancel`, { token: client.jwt })));

      expect(replies.map((r) => r.status).sort()).toEqual([200, 409, 409]);
      expect(await canceledEvents(id)).toHaveLength(1);
    });

    it('answers 404 for an unknown or malformed id', async () => {
      const client = await newClient();

      expectProblem(await jobs.request('POST', `/v1/jobs/${randomUUID()}/cancel`, { token: client.jwt }), 404, 'JOBS.JOB_NOT_FOUND');
      expectProblem(await jobs.request('POST', '/v1/jobs/nope/cancel', { token: client.jwt }), 404, 'JOBS.JOB_NOT_FOUND');
    });
  });
});
