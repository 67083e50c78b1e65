import { STACK_TRACE, startServiceUnderTest, signAccessToken, type Reply, type ServiceUnderTest } from '@conveyor/service-testing';
import { waitFor } from '@conveyor/testing';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { JobsConfig } from '../src/jobs.config';
import { jobsService } from '../src/jobs.definition';
import { projectedApiKey } from './api-key.fixtures';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** A public address that needs no DNS, so these specs run on machines without a resolver. */
const PUBLIC_HOOK = 'https://93.184.215.14/hooks/conveyor';

const tokenFor = (userId: string) => signAccessToken({ userId });

interface Counts {
  jobs: number;
  events: number;
  keys: number;
}

describe('POST /v1/jobs (real Postgres and RabbitMQ)', () => {
  let jobs: ServiceUnderTest<JobsConfig>;

  beforeAll(async () => {
    jobs = await startServiceUnderTest(jobsService, { WORKER_POLL_INTERVAL_MS: '60000' });
  });

  afterAll(async () => {
    await jobs?.close();
  });

  /** A new client with an access token. */
  const newClient = async () => {
    const userId = randomUUID();
    return { userId, token: await tokenFor(userId) };
  };

  /** A new client with an API key, projected from auth's event. */
  const clientWithKey = async () => {
    const { userId, key } = await projectedApiKey(jobs);
    return { userId, token: key };
  };

  const submit = (token: string, body: unknown, headers: Record<string, string> = {}) =>
    jobs.request('POST', '/v1/jobs', { token, body, headers });

  const counts = async (): Promise<Counts> =>
    (
      await jobs.sql<Counts>(
        `SELECT (SELECT count(*) FROM jobs.jobs)::int AS jobs,
                (SELECT count(*) FROM jobs.outbox)::int AS events,
                (SELECT count(*) FROM jobs.idempotency_keys)::int AS keys`,
      )
    )[0];

  const jobsOf = (userId: string) => jobs.sql<{ id: string }>('SELECT id FROM jobs.jobs WHERE user_id = $1', [userId]);

  const expectProblem = (reply: Reply, status: number, code: string) => {
    expect({ status: reply.status, code: reply.body['code'] }).toEqual({ status, code });
    expect(reply.contentType).toMatch(/^application\/problem\+json/);
    expect(reply.body).toMatchObject({ status, code, detail: expect.any(String) });
    expect(reply.text).not.toMatch(STACK_TRACE);
  };

  describe('accepting a job', () => {
    it('answers 202 with the status URL and Location, and writes the pending job with its submitted event', async () => {
      // given
      const { userId, token } = await clientWithKey();

      // when
      const response = await fetchSubmit(token, {
        type: 'echo',
        input: { hello: 'world', delayMs: 0 },
        webhookUrl: PUBLIC_HOOK,
        metadata: { order: '1042' },
      });

      // then
      expect(response.status).toBe(202);
      const body = (await response.json()) as Record<string, unknown>;
      const id = String(body['id']);
      expect(id).toMatch(UUID);
      expect(body).toEqual({ id, status: 'pending', statusUrl: `/v1/jobs/${id}`, createdAt: expect.any(String) });
      expect(new Date(String(body['createdAt'])).toISOString()).toBe(body['createdAt']);
      expect(response.headers.get('location')).toBe(`/v1/jobs/${id}`);

      const [row] = await jobs.sql('SELECT * FROM jobs.jobs WHERE id = $1', [id]);
      expect(row).toMatchObject({
        user_id: userId,
        type: 'echo',
        status: 'pending',
        input: { hello: 'world', delayMs: 0 },
        metadata: { order: '1042' },
        webhook_url: PUBLIC_HOOK,
        attempts: 0,
        version: 1,
      });
      const events = await jobs.sql<{ event_type: string; envelope: Record<string, unknown> }>(
        `SELECT event_type, envelope FROM jobs.outbox WHERE envelope->>'subject' = $1`,
        [id],
      );
      expect(events).toHaveLength(1);
      expect(events[0].event_type).toBe('jobs.job.submitted.v1');
      expect(events[0].envelope).toMatchObject({
        source: '/conveyor/jobs',
        data: {
          jobId: id,
          userId,
          type: 'echo',
          metadata: { order: '1042' },
          webhookUrl: PUBLIC_HOOK,
          submittedAt: body['createdAt'],
        },
      });
    });

    it('accepts a job without webhook or metadata, with an access token', async () => {
      const { userId, token } = await newClient();

      const reply = await submit(token, { type: 'echo', input: {} });

      expect(reply.status).toBe(202);
      expect(await jobs.sql('SELECT metadata, webhook_url FROM jobs.jobs WHERE user_id = $1', [userId])).toEqual([
        { metadata: {}, webhook_url: null },
      ]);
    });
  });

  describe('refusing invalid submissions (nothing is written)', () => {
    const echo = (extra: Record<string, unknown> = {}, input: unknown = {}) => ({ type: 'echo', input, ...extra });
    const manyKeys = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v']));

    it.each<[string, unknown, number, string]>([
      ['a body that is an array', [], 400, 'REQUEST.INVALID'],
      ['a missing type', { input: {} }, 400, 'REQUEST.INVALID'],
      ['a type that is a number', { type: 7, input: {} }, 400, 'REQUEST.INVALID'],
      ['an unknown type', { type: 'teleport', input: {} }, 422, 'JOBS.UNKNOWN_TYPE'],
      ['a missing input', { type: 'echo' }, 400, 'REQUEST.INVALID'],
      ['an input that is a string', echo({}, 'hello'), 400, 'REQUEST.INVALID'],
      ['an input that is null', echo({}, null), 400, 'REQUEST.INVALID'],
      ['a negative delayMs', echo({}, { delayMs: -1 }), 400, 'REQUEST.INVALID'],
      ['a delayMs sent as a string', echo({}, { delayMs: '5' }), 400, 'REQUEST.INVALID'],
      ['a delayMs far too long', echo({}, { delayMs: 10_000_000 }), 400, 'REQUEST.INVALID'],
      ['a failWith that is a number', echo({}, { failWith: 42 }), 400, 'REQUEST.INVALID'],
      ['an unknown field', echo({ priority: 'high' }), 400, 'REQUEST.INVALID'],
      ['a webhook URL that is not a URL', echo({ webhookUrl: 'not a url' }), 400, 'REQUEST.INVALID'],
      ['a webhook URL that is a number', echo({ webhookUrl: 123 }), 400, 'REQUEST.INVALID'],
      ['an ftp webhook URL', echo({ webhookUrl: 'ftp://93.184.215.14/x' }), 400, 'REQUEST.INVALID'],
      ['an over-long webhook URL', echo({ webhookUrl: `${PUBLIC_HOOK}?${'a'.repeat(2048)}` }), 400, 'REQUEST.INVALID'],
      ['an http webhook URL', echo({ webhookUrl: 'http://93.184.215.14/hook' }), 422, 'JOBS.WEBHOOK_URL_REFUSED'],
      ['a private-IP webhook URL', echo({ webhookUrl: 'https://10.0.0.5/hook' }), 422, 'JOBS.WEBHOOK_URL_REFUSED'],
      ['a 192.168 webhook URL', echo({ webhookUrl: 'https://192.168.1.1:8443/' }), 422, 'JOBS.WEBHOOK_URL_REFUSED'],
      ['a cloud metadata webhook URL', echo({ webhookUrl: 'https://169.254.169.254/latest/meta-data/' }), 422, 'JOBS.WEBHOOK_URL_REFUSED'],
      ['an IPv6 metadata webhook URL', echo({ webhookUrl: 'https://[fd00:ec2::254]/' }), 422, 'JOBS.WEBHOOK_URL_REFUSED'],
      ['an IPv4-mapped private webhook URL', echo({ webhookUrl: 'https://[::ffff:10.0.0.1]/' }), 422, 'JOBS.WEBHOOK_URL_REFUSED'],
      ['a loopback webhook URL', echo({ webhookUrl: 'https://127.0.0.1/hook' }), 422, 'JOBS.WEBHOOK_URL_REFUSED'],
      ['a localhost webhook URL', echo({ webhookUrl: 'https://localhost/hook' }), 422, 'JOBS.WEBHOOK_URL_REFUSED'],
      ['a webhook URL with credentials', echo({ webhookUrl: 'https://u:p@93.184.215.14/' }), 422, 'JOBS.WEBHOOK_URL_REFUSED'],
      ['a webhook host that does not resolve', echo({ webhookUrl: 'https://no-such-host.invalid/' }), 422, 'JOBS.WEBHOOK_URL_REFUSED'],
      ['metadata with 21 keys', echo({ metadata: manyKeys }), 400, 'REQUEST.INVALID'],
      ['a metadata key over 40 characters', echo({ metadata: { ['k'.repeat(41)]: 'v' } }), 400, 'REQUEST.INVALID'],
      ['a metadata value over 500 characters', echo({ metadata: { note: 'v'.repeat(501) } }), 400, 'REQUEST.INVALID'],
      ['a metadata value that is a number', echo({ metadata: { order: 1042 } }), 400, 'REQUEST.INVALID'],
      ['a NUL character in the input', echo({}, { text: 'a\u0000b' }), 400, 'REQUEST.INVALID'],
      ['an unpaired surrogate in a metadata value', echo({ metadata: { note: 'x\ud800' } }), 400, 'REQUEST.INVALID'],
      ['a NUL character in an input key', echo({}, { ['k\u0000']: 1 }), 400, 'REQUEST.INVALID'],
      ['malformed JSON', '{"type": "echo", "input": ', 400, 'REQUEST.MALFORMED_JSON'],
      ['a body over 1 MB', echo({}, { blob: 'x'.repeat(1_100_000) }), 413, 'REQUEST.TOO_LARGE'],
    ])('answers %s with %i %s', async (_, body, status, code) => {
      // given
      const { token } = await newClient();
      const before = await counts();

      // when (with an Idempotency-Key, which must not be kept either)
      const reply = await submit(token, body, { 'idempotency-key': randomUUID() });

      // then
      expectProblem(reply, status, code);
      expect(await counts()).toEqual(before);
    });

    it('names the failing fields of the job type’s input and lists the known types', async () => {
      const { token } = await newClient();

      const invalid = await submit(token, { type: 'echo', input: { delayMs: -1, failWith: 3 } });
      const unknown = await submit(token, { type: 'teleport', input: {} });

      expect(invalid.body['errors']).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ field: 'input.delayMs' }),
          expect.objectContaining({ field: 'input.failWith' }),
        ]),
      );
      expect(unknown.body).toMatchObject({ knownTypes: expect.arrayContaining(['echo']) });
    });

    it('says why a webhook URL is refused', async () => {
      const { token } = await newClient();

      const reply = await submit(token, { type: 'echo', input: {}, webhookUrl: 'https://169.254.169.254/' });

      expect(reply.body['reason']).toMatch(/cloud metadata/);
    });

    it.each([
      ['longer than 255 characters', 'k'.repeat(256)],
      ['not ASCII', 'clé'],
    ])('refuses an Idempotency-Key %s with 400 JOBS.INVALID_IDEMPOTENCY_KEY', async (_, key) => {
      const { token } = await newClient();
      const before = await counts();

      const reply = await submit(token, { type: 'echo', input: {} }, { 'idempotency-key': key });

      expectProblem(reply, 400, 'JOBS.INVALID_IDEMPOTENCY_KEY');
      expect(await counts()).toEqual(before);
    });
  });

  describe('Idempotency-Key', () => {
    it('replays the original answer for the same key and body, marked Idempotent-Replayed', async () => {
      // given a first submission with a key
      const { userId, token } = await clientWithKey();
      const key = `order-${randomUUID()}`;
      const first = await fetchSubmit(token, { type: 'echo', input: { a: 1, b: [1, 2] }, metadata: { x: 'y' } }, key);
      expect(first.status).toBe(202);
      expect(first.headers.get('idempotent-replayed')).toBeNull();

      // when the same body is sent again, with its keys in another order
      const again = await fetchSubmit(token, { metadata: { x: 'y' }, input: { b: [1, 2], a: 1 }, type: 'echo' }, key);

      // then the first answer comes back and no second job exists
      expect(again.status).toBe(202);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.headers.get('location')).toBe(first.headers.get('location'));
      expect(await again.json()).toEqual(await first.json());
      expect(await jobsOf(userId)).toHaveLength(1);
      const [stored] = await jobs.sql<{ hours: number }>(
        `SELECT extract(epoch FROM expires_at - created_at) / 3600 AS hours FROM jobs.idempotency_keys WHERE user_id = $1`,
        [userId],
      );
      expect(Number(stored.hours)).toBeCloseTo(24);
    });

    it('answers 422 JOBS.IDEMPOTENCY_KEY_REUSED for the same key with another body', async () => {
      const { userId, token } = await newClient();
      const key = randomUUID();
      expect((await submit(token, { type: 'echo', input: { n: 1 } }, { 'idempotency-key': key })).status).toBe(202);
      const before = await counts();

      const reply = await submit(token, { type: 'echo', input: { n: 2 } }, { 'idempotency-key': key });

      expectProblem(reply, 422, 'JOBS.IDEMPOTENCY_KEY_REUSED');
      expect(await counts()).toEqual(before);
      expect(await jobsOf(userId)).toHaveLength(1);
    });

    it('scopes keys to their user', async () => {
      const [alice, bob] = [await newClient(), await newClient()];
      const key = randomUUID();
      const body = { type: 'echo', input: {} };

      const fromAlice = await fetchSubmit(alice.token, body, key);
      const fromBob = await fetchSubmit(bob.token, body, key);

      expect([fromAlice.status, fromBob.status]).toEqual([202, 202]);
      expect(fromBob.headers.get('idempotent-replayed')).toBeNull();
      expect(await jobsOf(alice.userId)).toHaveLength(1);
      expect(await jobsOf(bob.userId)).toHaveLength(1);
    });

    it('creates exactly one job for 50 concurrent requests with one key; the others replay or get 409', async () => {
      // given
      const { userId, token } = await clientWithKey();
      const key = randomUUID();
      const body = { type: 'echo', input: { n: 50 } };

      // when
      const replies = await Promise.all(Array.from({ length: 50 }, () => fetchSubmit(token, body, key)));

      // then
      const created = await jobsOf(userId);
      expect(created).toHaveLength(1);
      const outcomes = await Promise.all(
        replies.map(async (r) => ({ status: r.status, replayed: r.headers.get('idempotent-replayed'), body: await r.json() })),
      );
      const accepted = outcomes.filter((o) => o.status === 202);
      const inFlight = outcomes.filter((o) => o.status === 409);
      expect(accepted.length + inFlight.length).toBe(50);
      expect(accepted.filter((o) => o.replayed === null)).toHaveLength(1);
      for (const o of accepted) expect(o.body).toMatchObject({ id: created[0].id, status: 'pending' });
      for (const o of inFlight) expect(o.body).toMatchObject({ code: 'JOBS.IDEMPOTENCY_KEY_IN_FLIGHT' });
      const events = await jobs.sql(`SELECT 1 FROM jobs.outbox WHERE envelope->>'subject' = $1`, [created[0].id]);
      expect(events).toHaveLength(1);
    });

    it('answers 409 JOBS.IDEMPOTENCY_KEY_IN_FLIGHT while the first request with the key is still running', async () => {
      // given a first request held inside its job transaction (inserts into jobs.jobs wait for a lock)
      const { userId, token } = await newClient();
      const key = randomUUID();
      const body = { type: 'echo', input: { slow: true } };
      const blocker = new Client({ connectionString: jobs.database.adminUrl });
      await blocker.connect();
      try {
        await blocker.query('BEGIN');
        await blocker.query('LOCK TABLE jobs.jobs IN SHARE MODE');
        const first = submit(token, body, { 'idempotency-key': key });
        await waitFor(
          async () =>
            (await jobs.sql(`SELECT 1 FROM jobs.idempotency_keys WHERE user_id = $1 AND state = 'in_flight'`, [userId])).length === 1,
          { description: 'the first request to claim the key' },
        );

        // when the same request arrives meanwhile
        const second = await submit(token, body, { 'idempotency-key': key });

        // then it is told to retry later, and the first completes once released
        expectProblem(second, 409, 'JOBS.IDEMPOTENCY_KEY_IN_FLIGHT');
        await blocker.query('COMMIT');
        expect((await first).status).toBe(202);
        const third = await submit(token, body, { 'idempotency-key': key });
        expect(third.status).toBe(202);
        expect(third.body['id']).toBe((await first).body['id']);
      } finally {
        await blocker.query('ROLLBACK').catch(() => undefined);
        await blocker.end();
      }
      expect(await jobsOf(userId)).toHaveLength(1);
    });

    it('lets a retry through when the first request with the key failed', async () => {
      // given a database that refuses the job (a constraint added for this test only)
      const { userId, token } = await newClient();
      const key = randomUUID();
      const body = { type: 'echo', input: { retry: true } };
      await jobs.sql(`ALTER TABLE jobs.jobs ADD CONSTRAINT spec_refuse_retry CHECK (NOT (input ? 'retry')) NOT VALID`);
      let failed: Reply;
      try {
        failed = await submit(token, body, { 'idempotency-key': key });
      } finally {
        await jobs.sql(`ALTER TABLE jobs.jobs DROP CONSTRAINT spec_refuse_retry`);
      }

      // then the failure left no claim behind
      expectProblem(failed, 500, 'INTERNAL');
      expect(await jobs.sql('SELECT 1 FROM jobs.idempotency_keys WHERE user_id = $1', [userId])).toHaveLength(0);

      // and the retry runs for real
      const retry = await fetchSubmit(token, body, key);
      expect(retry.status).toBe(202);
      expect(retry.headers.get('idempotent-replayed')).toBeNull();
      expect(await jobsOf(userId)).toHaveLength(1);
    });

    it('treats an expired key as absent', async () => {
      const { userId, token } = await newClient();
      const key = randomUUID();
      expect((await submit(token, { type: 'echo', input: { n: 1 } }, { 'idempotency-key': key })).status).toBe(202);
      await jobs.sql(`UPDATE jobs.idempotency_keys SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [userId]);

      const reply = await fetchSubmit(token, { type: 'echo', input: { n: 2 } }, key);

      expect(reply.status).toBe(202);
      expect(reply.headers.get('idempotent-replayed')).toBeNull();
      expect(await jobsOf(userId)).toHaveLength(2);
    });

    it('takes over a key whose first request died in flight', async () => {
      // given a claim left behind two minutes ago by a process that is gone
      const { userId, token } = await newClient();
      const key = randomUUID();
      await jobs.sql(
        `INSERT INTO jobs.idempotency_keys (user_id, key, request_hash, state, claim_id, created_at, expires_at)
         VALUES ($1, $2, 'abandoned', 'in_flight', gen_random_uuid(), now() - interval '2 minutes', now() + interval '1 day')`,
        [userId, key],
      );

      // when
      const reply = await submit(token, { type: 'echo', input: {} }, { 'idempotency-key': key });

      // then
      expect(reply.status).toBe(202);
      expect(await jobs.sql(`SELECT state FROM jobs.idempotency_keys WHERE user_id = $1`, [userId])).toEqual([{ state: 'completed' }]);
    });
  });

  /** Like `submit`, but with the raw response, for its headers. */
  function fetchSubmit(token: string, body: unknown, idempotencyKey?: string) {
    return fetch(`${jobs.url}/v1/jobs`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        ...(idempotencyKey !== undefined && { 'idempotency-key': idempotencyKey }),
      },
      body: JSON.stringify(body),
    });
  }
});
