import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { UPSTREAM_NAMES, type UpstreamName } from '../src/config/console.config';
import { createConsoleServer } from '../src/server';

/**
 * The console server against real loopback HTTP servers standing in for the five services:
 * each answers with what it received, so the specs see exactly what the proxy forwarded.
 */

interface Seen {
  method?: string;
  url?: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const listen = (server: Server) => new Promise<string>((r) => server.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
/** A GET with the path exactly as given (fetch would resolve `..` before sending). */
function rawGet(base: string, path: string) {
  return new Promise<{ status: number; type?: string; body: string }>((resolvePromise, reject) => {
    const req = request(base, { path, agent: false });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}
const close = (server: Server) => new Promise<void>((r) => server.close(() => r()));

function echoService(name: string): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url?.endsWith('/events')) {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        res.write('retry: 2000\n\n');
        res.write(`data: {"from":"${name}"}\n\n`);
        return; // stays open, like the jobs stream
      }
      const seen: Seen = { method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      res.writeHead(201, {
        'content-type': 'application/json',
        'x-served-by': name,
        'keep-alive': 'timeout=77',
        'set-cookie': ['conveyor_refresh=abc; Path=/v1/auth; HttpOnly; Secure; SameSite=Strict'],
      });
      res.end(JSON.stringify(seen));
    });
  });
}

describe('console server', () => {
  const services = new Map<UpstreamName, Server>();
  const upstreams = {} as Record<UpstreamName, string>;
  let console: ReturnType<typeof createConsoleServer>;
  let base: string;
  const logged: unknown[] = [];

  beforeAll(async () => {
    for (const name of UPSTREAM_NAMES) {
      const server = echoService(name);
      services.set(name, server);
      upstreams[name] = await listen(server);
    }
    console = createConsoleServer({
      upstreams,
      publicDir: resolve(__dirname, '../public'),
      logger: { warn: (...args: unknown[]) => logged.push(args), error: (...args: unknown[]) => logged.push(args) } as never,
    });
    base = await listen(console.server);
  });

  afterAll(async () => {
    console.server.closeAllConnections();
    await close(console.server);
    for (const server of services.values()) {
      server.closeAllConnections();
      await close(server);
    }
  });

  it('forwards each /api/<name> prefix to its own service under /v1/<name>, query and body included', async () => {
    for (const name of UPSTREAM_NAMES) {
      // when the browser calls the console's API path
      const response = await fetch(`${base}/api/${name}/things/1?limit=2`, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json', authorization: 'Bearer t' } });

      // then that service got the call under its own prefix, with body and credentials
      expect(response.status).toBe(201);
      expect(response.headers.get('x-served-by')).toBe(name);
      const seen = (await response.json()) as Seen;
      expect(seen).toMatchObject({ method: 'POST', url: `/v1/${name}/things/1?limit=2`, body: '{"a":1}' });
      expect(seen.headers['authorization']).toBe('Bearer t');
      expect(seen.headers['host']).toBe(new URL(upstreams[name]).host);
    }
  });

  it("forwards an administrator's dead-letter calls to the service's operator routes, and no other admin path", async () => {
    const response = await fetch(`${base}/api/admin/webhooks/dead-letters/replay`, { method: 'POST', body: '{"all":true}' });
    expect(response.headers.get('x-served-by')).toBe('webhooks');
    expect(await response.json()).toMatchObject({ url: '/admin/dead-letters/replay', body: '{"all":true}' });

    expect((await rawGet(base, '/api/admin/webhooks/outbox')).status).toBe(404);
  });

  it('drops hop-by-hop headers both ways, and those the Connection header names', async () => {
    // given a request with hop-by-hop headers, one of them named by Connection
    const answer = await new Promise<{ status: number; headers: IncomingMessage['headers']; body: string }>((resolvePromise, reject) => {
      const req = request(`${base}/api/jobs`, {
        method: 'POST',
        headers: { connection: 'keep-alive, x-private-hop', 'keep-alive': 'timeout=9', 'x-private-hop': 'secret', 'proxy-authorization': 'Basic x', te: 'trailers', 'x-kept': 'yes' },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end('x');
    });

    // then the service saw none of them, but the end-to-end header
    const seen = JSON.parse(answer.body) as Seen;
    for (const hop of ['keep-alive', 'x-private-hop', 'proxy-authorization', 'te']) expect(seen.headers[hop]).toBeUndefined();
    expect(seen.headers['x-kept']).toBe('yes');
    // and the browser does not get the service's keep-alive parameters
    expect(answer.headers['keep-alive']).not.toBe('timeout=77');
  });

  it("moves auth's refresh cookie to the path the browser uses", async () => {
    const response = await fetch(`${base}/api/auth/login`, { method: 'POST', body: '{}' });
    expect(response.headers.get('set-cookie')).toBe('conveyor_refresh=abc; Path=/api/auth; HttpOnly; Secure; SameSite=Strict');
  });

  it('streams Server-Sent Events as they are written', async () => {
    // when the browser opens an event stream that the service keeps open
    const controller = new AbortController();
    const response = await fetch(`${base}/api/jobs/events`, { signal: controller.signal });

    // then the first event arrives while the stream is still open
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while (!text.includes('"from":"jobs"')) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toContain('retry: 2000');
    controller.abort();
  });

  it('answers 404 problem details for an /api path that names no service, or climbs out of one', async () => {
    for (const path of ['/api/nope/x', '/api', '/api/jobs/../auth/x', '/api/jobs/%2e%2e/x']) {
      const response = await rawGet(base, path);
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
      expect(response.type).toBe('application/problem+json');
      expect(JSON.parse(response.body)).toMatchObject({ status: 404, code: 'REQUEST.NOT_FOUND' });
    }
  });

  it('maps an unreachable service to 502 problem details with a stable code', async () => {
    // given the billing service gone
    const billing = services.get('billing') as Server;
    billing.closeAllConnections();
    await close(billing);

    // when the browser asks for the balance
    const response = await fetch(`${base}/api/billing/balance`);

    // then it gets a problem it can show, and the console logged the failure
    expect(response.status).toBe(502);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ status: 502, code: 'CONSOLE.UPSTREAM_UNAVAILABLE' });
    expect(logged.length).toBeGreaterThan(0);
    services.delete('billing');
  });

  it('serves the app with a strict content security policy, and no file outside its folder', async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toContain('<script type="module" src="/js/app.js">');

    const script = await fetch(`${base}/js/app.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');

    for (const path of ['/../package.json', '/%2e%2e/package.json', '/..%2f..%2fpackage.json', '/missing.js']) {
      expect({ path, status: (await rawGet(base, path)).status }).toEqual({ path, status: 404 });
    }
  });

  it('counts its requests by upstream in the Prometheus metrics', async () => {
    await fetch(`${base}/api/jobs/x`);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/http_requests_total\{method="GET",route="\/api\/jobs",status="201"\} [1-9]/);
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('reports live and ready, and not ready once draining', async () => {
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);

    console.drain();

    expect((await rawGet(base, '/health/ready')).status).toBe(503);
    expect((await rawGet(base, '/health/live')).status).toBe(200);
  });
});
