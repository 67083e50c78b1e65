import {
  BLOCKED_HOSTS,
  blockedUrls,
  notRefused,
  refusedTokens,
  rowsAsText,
  signAccessToken,
  SQL_INJECTION_PROBES,
  startServiceUnderTest,
  useTestResolver,
  type ServiceUnderTest,
} from '@conveyor/service-testing';
import { waitFor } from '@conveyor/testing';
import { randomUUID } from 'node:crypto';
import type { JobsConfig } from '../src/jobs.config';
import { jobsService } from '../src/jobs.definition';
import { ImageFetcher } from '../src/processors/image/image-fetcher';
import { PermanentJobError } from '../src/processors/processor.errors';
import { VendorCallProcessor } from '../src/processors/vendor/vendor-call.processor';
import type { VendorRateLimiter } from '../src/vendors/vendor-rate-limiter';
import type { VendorCallbacks } from '../src/vendors/vendor-callbacks';
import type { Vendors } from '../src/vendors/vendor-config';
import { apiKeyRevoked, projectedApiKey } from './api-key.fixtures';
import { redirectTo, startImageServer } from './image-server';

const ECHO = { type: 'echo', input: { text: 'hello' } };

interface Client {
  userId: string;
  key: string;
  token: string;
}

describe('jobs security: tenants, credentials, revocation, secrets, SSRF, injection', () => {
  let jobs: ServiceUnderTest<JobsConfig>;
  let a: Client;
  let b: Client;
  let jobOfA: string;

  const newClient = async (): Promise<Client> => {
    const { userId, key } = await projectedApiKey(jobs);
    return { userId, key, token: await signAccessToken({ userId }) };
  };

  beforeAll(async () => {
    jobs = await startServiceUnderTest(jobsService, { WORKER_POLL_INTERVAL_MS: '60000' });
    [a, b] = await Promise.all([newClient(), newClient()]);
    const submitted = await jobs.request('POST', '/v1/jobs', { token: a.key, body: { ...ECHO, metadata: { owner: 'a' } } });
    jobOfA = String(submitted.body['id']);
  });

  afterAll(() => jobs?.close());

  describe('tenant isolation', () => {
    it.each([
      ['GET', '/v1/jobs/:id'],
      ['GET', '/v1/jobs/:id/result'],
      ['GET', '/v1/jobs/:id/events'],
      ['POST', '/v1/jobs/:id/cancel'],
    ])("answers 404 JOBS.JOB_NOT_FOUND to client B's %s %s of client A's job, by API key and by token", async (method, template) => {
      for (const credential of [b.key, b.token]) {
        const reply = await jobs.request(method, template.replace(':id', jobOfA), { token: credential });
        expect(reply.status).toBe(404);
        expect(reply.body).toMatchObject({ code: 'JOBS.JOB_NOT_FOUND' });
      }
      const [job] = await jobs.sql<{ status: string }>('SELECT status FROM jobs.jobs WHERE id = $1', [jobOfA]);
      expect(job?.status).toBe('pending');
    });

    it("never lists client A's jobs to client B, whatever the filters", async () => {
      for (const query of ['', '?status=pending', '?type=echo', '?limit=100']) {
        const reply = await jobs.request('GET', `/v1/jobs${query}`, { token: b.key });
        expect(reply.status).toBe(200);
        expect(reply.text).not.toContain(jobOfA);
      }
      expect((await jobs.request('GET', '/v1/jobs', { token: a.key })).text).toContain(jobOfA);
    });

    it('does not reuse another client’s Idempotency-Key answer', async () => {
      const key = randomUUID();
      const first = await jobs.request('POST', '/v1/jobs', { token: a.key, body: ECHO, headers: { 'idempotency-key': key } });
      const second = await jobs.request('POST', '/v1/jobs', { token: b.key, body: ECHO, headers: { 'idempotency-key': key } });
      expect(second.status).toBe(202);
      expect(second.body['id']).not.toBe(first.body['id']);
    });

    it('refuses a signed result link with a forged signature', async () => {
      const reply = await jobs.request('GET', `/v1/results/${jobOfA}?expires=9999999999&signature=${'a'.repeat(64)}`);
      expect(reply.status).toBe(403);
    });
  });

  describe('credentials', () => {
    it('refuses bad access tokens, malformed keys and revoked keys on every route', async () => {
      const revoked = await projectedApiKey(jobs);
      await jobs.publish(apiKeyRevoked(revoked.keyId, revoked.userId));
      await waitFor(async () => (await jobs.request('GET', '/v1/jobs', { token: revoked.key })).status === 401, { description: 'the key to be revoked' });
      const tokens = {
        ...(await refusedTokens(a.userId)),
        'a revoked API key': revoked.key,
        'an API key nobody issued': `ck_live_${'A'.repeat(43)}`,
        'an API key too short': 'ck_live_abc',
        'an API key with a wrong prefix': `ck_test_${'A'.repeat(43)}`,
      };
      const routes = [
        { method: 'POST', path: '/v1/jobs', body: ECHO },
        { method: 'GET', path: '/v1/jobs' },
        { method: 'GET', path: `/v1/jobs/${jobOfA}` },
        { method: 'GET', path: `/v1/jobs/${jobOfA}/result` },
        { method: 'GET', path: `/v1/jobs/${jobOfA}/events` },
        { method: 'GET', path: '/v1/jobs/events' },
        { method: 'POST', path: `/v1/jobs/${jobOfA}/cancel` },
      ];
      expect(await notRefused(jobs.url, routes, tokens)).toEqual([]);
      const [job] = await jobs.sql<{ status: string }>('SELECT status FROM jobs.jobs WHERE id = $1', [jobOfA]);
      expect(job?.status).toBe('pending');
    });

    it('refuses a revoked API key within 1 s of the revocation event (p99 of 20)', async () => {
      const clients = await Promise.all(Array.from({ length: 20 }, () => projectedApiKey(jobs)));
      const latencies: number[] = [];
      for (const client of clients) {
        expect((await jobs.request('GET', '/v1/jobs', { token: client.key })).status).toBe(200);
        const start = performance.now();
        await jobs.publish(apiKeyRevoked(client.keyId, client.userId));
        await waitFor(async () => (await jobs.request('GET', '/v1/jobs', { token: client.key })).status === 401, {
          description: 'the revoked key to be refused',
          intervalMs: 5,
        });
        latencies.push(performance.now() - start);
      }
      latencies.sort((x, y) => x - y);
      const p99 = latencies[Math.ceil(0.99 * latencies.length) - 1] ?? Infinity;
      expect(p99).toBeLessThan(1_000);
    });
  });

  it('keeps API keys only as hashes: never in a row, an event or an answer', async () => {
    const client = await newClient();
    const submitted = await jobs.request('POST', '/v1/jobs', { token: client.key, body: ECHO });
    const read = await jobs.request('GET', `/v1/jobs/${String(submitted.body['id'])}`, { token: client.key });
    const list = await jobs.request('GET', '/v1/jobs', { token: client.key });
    for (const reply of [submitted, read, list]) expect(reply.text).not.toContain(client.key);
    // Including the outbox, whose rows are the events (jobs.api_key.used.v1 among them).
    expect((await rowsAsText(jobs.sql, 'jobs')).filter((row) => row.includes(client.key) || row.includes(client.key.slice(8)))).toEqual([]);
  });

  describe('SSRF', () => {
    let restore: () => void;
    beforeAll(() => {
      restore = useTestResolver();
    });
    afterAll(() => restore?.());

    it.each(blockedUrls('https'))('refuses a webhookUrl on %s (%s) and writes nothing', async (_, webhookUrl) => {
      const client = await newClient();
      const reply = await jobs.request('POST', '/v1/jobs', { token: client.key, body: { ...ECHO, webhookUrl } });
      expect(reply.status).toBe(422);
      expect(reply.body).toMatchObject({ code: 'JOBS.WEBHOOK_URL_REFUSED' });
      expect(await jobs.sql('SELECT 1 FROM jobs.jobs WHERE user_id = $1', [client.userId])).toEqual([]);
    });

    const literal = BLOCKED_HOSTS.filter(([label]) => !/name|localhost/.test(label)).map(([label, host]) => [label, `http://${host}/cat.png`]);
    it.each(literal)('refuses an imageUrl on %s (%s) at submission', async (_, imageUrl) => {
      const reply = await jobs.request('POST', '/v1/jobs', {
        token: a.key,
        body: { type: 'image.transform', input: { imageUrl, operations: [{ op: 'grayscale' }] } },
      });
      expect(reply.status).toBe(400);
      expect(JSON.stringify(reply.body['errors'])).toContain('input.imageUrl');
    });

    describe('fetching an image and calling a vendor', () => {
      let server: Awaited<ReturnType<typeof startImageServer>>;
      beforeAll(async () => {
        server = await startImageServer(Object.fromEntries(blockedUrls('http', '/x').map(([, url], i) => [`/r${i}`, redirectTo(url)])));
      });
      afterAll(() => server?.close());

      const refusal = async (work: Promise<unknown>) => {
        const error = await work.then(() => undefined, (e: unknown) => e);
        expect(error).toBeInstanceOf(PermanentJobError);
        return (error as PermanentJobError).code;
      };

      it.each(blockedUrls('http', '/x').map(([label, url], i) => [label, url, i] as const))(
        'refuses an image on %s (%s), directly or through a redirect',
        async (_, url, i) => {
          const fetcher = new ImageFetcher({ allowLoopback: false, timeoutMs: 2_000, maxBytes: 1024 * 1024 });
          expect(await refusal(fetcher.fetch(url, new AbortController().signal))).toBe('JOBS.IMAGE_FETCH_REFUSED');
          // The first hop may be loopback (tests); redirects never may.
          const viaRedirect = new ImageFetcher({ allowLoopback: true, timeoutMs: 2_000, maxBytes: 1024 * 1024 });
          expect(await refusal(viaRedirect.fetch(server.url(`/r${i}`), new AbortController().signal))).toBe('JOBS.IMAGE_FETCH_REFUSED');
        },
      );

      const vendorCall = (baseUrl: string, allowLoopback: boolean) => {
        const vendors: Vendors = { v: { baseUrl, mode: 'sync', timeoutMs: 2_000, callbackTimeoutMs: 1_000, rateLimit: { requests: 100, intervalMs: 1_000 } } };
        const processor = new VendorCallProcessor(
          vendors,
          { JOBS_ALLOW_LOOPBACK_VENDORS: allowLoopback },
          { acquire: async () => undefined } as unknown as VendorRateLimiter,
          { find: async () => undefined } as unknown as VendorCallbacks,
        );
        return processor.process({ vendor: 'v', payload: {} }, { signal: new AbortController().signal, jobId: randomUUID(), attempt: 1 });
      };

      it.each(blockedUrls('https', '/x').map(([label, url], i) => [label, url, i] as const))(
        'refuses a vendor URL on %s (%s), and never follows a vendor redirect',
        async (_, url, i) => {
          expect(await refusal(vendorCall(url, false))).toBe('JOBS.VENDOR_URL_REFUSED');
          expect(await refusal(vendorCall(server.url(`/r${i}`), true))).toBe('JOBS.VENDOR_BAD_RESPONSE');
        },
      );
    });
  });

  it('stores SQL injection probes in string fields as plain text, and filters by them safely', async () => {
    const client = await newClient();
    const before = await jobs.sql<{ n: number }>('SELECT count(*)::int AS n FROM jobs.jobs');
    for (const probe of SQL_INJECTION_PROBES) {
      const submitted = await jobs.request('POST', '/v1/jobs', { token: client.key, body: { type: 'echo', input: { text: probe }, metadata: { note: probe } } });
      expect(submitted.status).toBe(202);
      const read = await jobs.request('GET', `/v1/jobs/${String(submitted.body['id'])}`, { token: client.key });
      expect(read.body).toMatchObject({ input: { text: probe }, metadata: { note: probe } });
      for (const query of [`type=${encodeURIComponent(probe)}`, `status=${encodeURIComponent(probe)}`, `cursor=${encodeURIComponent(probe)}`]) {
        const reply = await jobs.request('GET', `/v1/jobs?${query}`, { token: client.key });
        expect(reply.status).toBeLessThan(500);
        if (reply.status === 200) expect(reply.body['items']).toEqual([]);
      }
      expect((await jobs.request('GET', `/v1/jobs/${encodeURIComponent(probe)}`, { token: client.key })).status).toBe(404);
    }
    const after = await jobs.sql<{ n: number }>('SELECT count(*)::int AS n FROM jobs.jobs');
    expect(after[0]?.n).toBe((before[0]?.n ?? 0) + SQL_INJECTION_PROBES.length);
  });
});
