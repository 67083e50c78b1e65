import { ConveyorApiError, ConveyorClient, WaitForJobTimeoutError, type HttpExchange, type Job } from '../src';
import { json, problem, startStubApi } from './stub-api';

/** The client against a loopback stub: retries, credentials, refresh, uploads and waiting. */
describe('ConveyorClient over HTTP (loopback stub)', () => {
  const job = (status: Job['status']): Partial<Job> => ({ id: 'job-1', type: 'echo', status, traceId: 'a'.repeat(32) });

  it('retries a 429 after the Retry-After it names, with the same Idempotency-Key', async () => {
    let calls = 0;
    const stub = await startStubApi((_request, response) =>
      ++calls === 1
        ? json(response, 429, problem(429, 'RATE_LIMIT.EXCEEDED'), { 'retry-after': '1' })
        : json(response, 202, { id: 'job-1', status: 'pending', statusUrl: '/v1/jobs/job-1', createdAt: new Date().toISOString() }),
    );
    try {
      const client = new ConveyorClient({ baseUrl: stub.url, apiKey: 'ck_live_test' });

      const submitted = await client.jobs.submit({ type: 'echo', input: { hello: 'world' } });

      expect(submitted.id).toBe('job-1');
      const [first, second] = stub.requests;
      expect(second.at - first.at).toBeGreaterThanOrEqual(950);
      expect(first.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
      expect(second.headers['idempotency-key']).toBe(first.headers['idempotency-key']);
      expect(first.headers.authorization).toBe('Bearer ck_live_test');
      expect(JSON.parse(second.body.toString())).toEqual({ type: 'echo', input: { hello: 'world' } });
    } finally {
      await stub.close();
    }
  });

  it('backs off on 503 and, when the retries run out, throws the problem with its code', async () => {
    const stub = await startStubApi((_request, response) => json(response, 503, problem(503, 'SERVICE.UNAVAILABLE')));
    try {
      const client = new ConveyorClient({ baseUrl: stub.url, apiKey: 'ck_live_test', retry: { maxRetries: 2, baseDelayMs: 50 } });

      const error = await client.jobs.get('job-1').catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ConveyorApiError);
      expect(error).toMatchObject({ status: 503, code: 'SERVICE.UNAVAILABLE' });
      expect(stub.requests).toHaveLength(3);
      expect(stub.requests[2].at - stub.requests[1].at).toBeGreaterThanOrEqual(70); // 100 ms ± 20 %
    } finally {
      await stub.close();
    }
  });

  it('does not retry other errors, and does not wait for a Retry-After longer than its limit', async () => {
    const stub = await startStubApi((request, response) =>
      request.path.startsWith('/v1/jobs/missing')
        ? json(response, 404, problem(404, 'JOBS.JOB_NOT_FOUND'))
        : json(response, 429, problem(429, 'RATE_LIMIT.EXCEEDED'), { 'retry-after': '3600' }),
    );
    try {
      const client = new ConveyorClient({ baseUrl: stub.url, apiKey: 'ck_live_test' });

      await expect(client.jobs.get('missing')).rejects.toMatchObject({ status: 404, code: 'JOBS.JOB_NOT_FOUND' });
      await expect(client.jobs.list()).rejects.toMatchObject({ status: 429, code: 'RATE_LIMIT.EXCEEDED' });
      expect(stub.requests).toHaveLength(2);
    } finally {
      await stub.close();
    }
  });

  it('shows every attempt to onExchange, with the bodies it read and without the credential', async () => {
    let calls = 0;
    const stub = await startStubApi((_request, response) =>
      ++calls === 1
        ? json(response, 503, problem(503, 'SERVICE.UNAVAILABLE'), { 'retry-after': '0' })
        : json(response, 202, { id: 'job-1', status: 'pending', statusUrl: '/v1/jobs/job-1', createdAt: '' }),
    );
    try {
      const exchanges: HttpExchange[] = [];
      const client = new ConveyorClient({ baseUrl: stub.url, apiKey: 'ck_live_test', onExchange: (exchange) => exchanges.push(exchange) });

      await client.jobs.submit({ type: 'echo', input: { n: 1 }, idempotencyKey: 'k-1' });

      expect(exchanges.map((e) => [e.method, e.url, e.status, e.credential])).toEqual([
        ['POST', `${stub.url}/v1/jobs`, 503, 'apiKey'],
        ['POST', `${stub.url}/v1/jobs`, 202, 'apiKey'],
      ]);
      expect(exchanges[0].responseBody).toMatchObject({ code: 'SERVICE.UNAVAILABLE' });
      expect(exchanges[1]).toMatchObject({ requestBody: { type: 'echo', input: { n: 1 } }, responseBody: { id: 'job-1' } });
      expect(exchanges[1].requestHeaders).toMatchObject({ 'idempotency-key': 'k-1', 'content-type': 'application/json' });
      expect(JSON.stringify(exchanges)).not.toContain('ck_live_test');
    } finally {
      await stub.close();
    }
  });

  it('refreshes an expired session once for concurrent requests and repeats them', async () => {
    let refreshes = 0;
    const stub = await startStubApi((request, response) => {
      if (request.path === '/v1/auth/refresh') {
        refreshes++;
        return json(response, 200, { accessToken: 'fresh', tokenType: 'Bearer', expiresIn: 900, refreshToken: `r${refreshes + 1}`, refreshExpiresIn: 3600 });
      }
      if (request.headers.authorization !== 'Bearer fresh') return json(response, 401, problem(401, 'AUTH.UNAUTHENTICATED'));
      return json(response, 200, { available: 7, reserved: 0, plan: 'basic', maxConcurrentJobs: 1 });
    });
    try {
      const client = new ConveyorClient({ baseUrl: stub.url, session: { accessToken: 'stale', refreshToken: 'r1' } });

      const balances = await Promise.all([client.billing.balance(), client.billing.balance(), client.billing.balance()]);

      expect(balances.map((b) => b.available)).toEqual([7, 7, 7]);
      expect(refreshes).toBe(1);
      const refresh = stub.requests.find((r) => r.path === '/v1/auth/refresh');
      expect(JSON.parse(String(refresh?.body))).toEqual({ refreshToken: 'r1' });
      expect(client.sessionTokens).toMatchObject({ accessToken: 'fresh', refreshToken: 'r2' });
    } finally {
      await stub.close();
    }
  });

  it('refreshes ahead of time when the access token is about to expire', async () => {
    const stub = await startStubApi((request, response) =>
      request.path === '/v1/auth/refresh'
        ? json(response, 200, { accessToken: 'fresh', tokenType: 'Bearer', expiresIn: 900, refreshToken: 'r2', refreshExpiresIn: 3600 })
        : json(response, 200, { id: 'u1', email: 'a@example.com', name: null, createdAt: '', seen: request.headers.authorization }),
    );
    try {
      const client = new ConveyorClient({ baseUrl: stub.url, session: { accessToken: 'old', refreshToken: 'r1', expiresAt: Date.now() + 5_000 } });

      expect(await client.auth.me()).toMatchObject({ seen: 'Bearer fresh' });
      expect(stub.requests.map((r) => r.path)).toEqual(['/v1/auth/refresh', '/v1/auth/me']);
    } finally {
      await stub.close();
    }
  });

  it('uploads an image job as multipart with the file part', async () => {
    const stub = await startStubApi((_request, response) => json(response, 202, { id: 'job-1', status: 'pending', statusUrl: '', createdAt: '' }));
    try {
      const client = new ConveyorClient({ baseUrl: stub.url, apiKey: 'ck_live_test' });

      await client.jobs.submitImageUpload({ operations: [{ op: 'grayscale' }], file: new Uint8Array([137, 80, 78, 71]), filename: 'a.png', contentType: 'image/png' });

      const [request] = stub.requests;
      expect(request.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
      expect(request.headers['idempotency-key']).toBeDefined();
      const body = request.body.toString('latin1');
      expect(body).toContain('name="type"\r\n\r\nimage.transform');
      expect(body).toContain('name="input"\r\n\r\n{"operations":[{"op":"grayscale"}]}');
      expect(body).toContain('name="file"; filename="a.png"');
    } finally {
      await stub.close();
    }
  });

  it('waits for a job over the event stream, and polls when the stream is unavailable', async () => {
    let polls = 0;
    let streamWorks = true;
    const stub = await startStubApi((request, response) => {
      if (request.path === '/v1/jobs/job-1/events') {
        if (!streamWorks) return json(response, 503, problem(503, 'SERVICE.UNAVAILABLE'));
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write('retry: 2000\n\n: keep-alive\n\n');
        for (const [n, status] of (['pending', 'queued', 'running', 'succeeded'] as const).entries()) {
          response.write(`id: ${n + 1}\ndata: ${JSON.stringify({ id: String(n + 1), jobId: 'job-1', type: 'echo', status, at: '' })}\n\n`);
        }
        return void response.end();
      }
      polls++;
      return json(response, 200, job(streamWorks || polls >= 3 ? 'succeeded' : 'running'));
    });
    try {
      const client = new ConveyorClient({ baseUrl: stub.url, apiKey: 'ck_live_test', retry: { maxRetries: 0 } });
      const streamed: string[] = [];

      const viaStream = await client.jobs.waitForJob('job-1', { onStatus: (status) => streamed.push(status) });
      expect(viaStream.status).toBe('succeeded');
      expect(streamed).toEqual(['pending', 'queued', 'running', 'succeeded']);
      expect(polls).toBe(1); // only the final read

      streamWorks = false;
      polls = 0;
      const viaPolling = await client.jobs.waitForJob('job-1', { pollIntervalMs: 20 });
      expect(viaPolling.status).toBe('succeeded');
      expect(polls).toBe(3);
    } finally {
      await stub.close();
    }
  });

  it('gives up waiting after its timeout', async () => {
    const stub = await startStubApi((_request, response) => json(response, 200, job('running')));
    try {
      const client = new ConveyorClient({ baseUrl: stub.url, apiKey: 'ck_live_test' });

      await expect(client.jobs.waitForJob('job-1', { mode: 'poll', timeoutMs: 200, pollIntervalMs: 20 })).rejects.toBeInstanceOf(WaitForJobTimeoutError);
    } finally {
      await stub.close();
    }
  });
});
