import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OutboundUrlPolicy } from './check-outbound-url';
import { guardedRequest, OutboundRequestError } from './guarded-request';

/** A loopback server whose answer each test chooses. */
let server: Server;
let port: number;
let handle: (request: IncomingMessage, response: ServerResponse) => void;
let requestsSeen = 0;

beforeAll(async () => {
  server = createServer((request, response) => {
    requestsSeen += 1;
    handle(request, response);
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((closed) => server.close(closed));
});
beforeEach(() => {
  requestsSeen = 0;
});

const loopbackAllowed: OutboundUrlPolicy = { allowHttp: true, allowLoopback: true };
const strict: OutboundUrlPolicy = { allowHttp: true, allowLoopback: false };
const options = (policy: OutboundUrlPolicy, extra: Partial<Parameters<typeof guardedRequest>[1]> = {}) => ({
  policy,
  timeoutMs: 2_000,
  maxResponseBytes: 1_024,
  ...extra,
});

async function refusal(request: Promise<unknown>): Promise<OutboundRequestError> {
  const error = await request.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OutboundRequestError);
  return error as OutboundRequestError;
}

describe('guardedRequest', () => {
  it('sends the method, headers and body, and returns status, headers and body', async () => {
    // given a server that echoes what it got
    handle = (request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        response.setHeader('x-seen', `${request.method} ${request.headers['x-test']} ${body}`);
        response.end('answer');
      });
    };
    // when
    const response = await guardedRequest(
      `http://127.0.0.1:${port}/hook`,
      options(loopbackAllowed, { method: 'POST', headers: { 'x-test': 'yes' }, body: 'payload' }),
    );
    // then
    expect(response).toMatchObject({ status: 200, truncated: false });
    expect(response.headers['x-seen']).toBe('POST yes payload');
    expect(response.body.toString()).toBe('answer');
  });

  it('refuses a loopback URL without the allowance before connecting', async () => {
    handle = (_request, response) => response.end();
    const error = await refusal(guardedRequest(`http://127.0.0.1:${port}/`, options(strict)));
    expect(error.code).toBe('URL_REFUSED');
    expect(requestsSeen).toBe(0);
  });

  it('refuses at connect time when the name resolves to a blocked address by then (DNS rebinding)', async () => {
    // given a resolver that answers a public address to the URL check and loopback afterwards
    handle = (_request, response) => response.end();
    let answers = 0;
    const rebinding: OutboundUrlPolicy = {
      ...strict,
      lookup: async () => [{ address: (answers += 1) === 1 ? '93.184.215.14' : '127.0.0.1' }],
    };
    // when
    const error = await refusal(guardedRequest(`http://rebind.example.test:${port}/`, options(rebinding)));
    // then the socket never connected
    expect(error.code).toBe('ADDRESS_BLOCKED');
    expect(error.message).not.toContain('127.0.0.1');
    expect(error.detail).toContain('127.0.0.1');
    expect(answers).toBe(2);
    expect(requestsSeen).toBe(0);
  });

  it('refuses a name that resolves to ::1 unless loopback is allowed', async () => {
    const toV6Loopback = { lookup: async () => [{ address: '::1' }] };
    const error = await refusal(guardedRequest('http://v6.example.test/', options({ ...strict, ...toV6Loopback })));
    expect(error.code).toBe('URL_REFUSED');
  });

  it('returns a redirect as it is, without following it', async () => {
    handle = (_request, response) => {
      response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' }).end();
    };
    const response = await guardedRequest(`http://127.0.0.1:${port}/`, options(loopbackAllowed));
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe('http://169.254.169.254/latest/meta-data');
    expect(requestsSeen).toBe(1);
  });

  it('fails with TOO_LARGE when the body passes the cap, declared or streamed', async () => {
    // given one answer with a Content-Length over the cap and one streamed without a length
    handle = (request, response) => {
      if (request.url === '/declared') return response.end(Buffer.alloc(5_000));
      response.write(Buffer.alloc(800));
      response.write(Buffer.alloc(800));
      response.end();
    };
    // then both are refused
    expect((await refusal(guardedRequest(`http://127.0.0.1:${port}/declared`, options(loopbackAllowed)))).code).toBe(
      'TOO_LARGE',
    );
    expect((await refusal(guardedRequest(`http://127.0.0.1:${port}/streamed`, options(loopbackAllowed)))).code).toBe(
      'TOO_LARGE',
    );
  });

  it('keeps the first maxResponseBytes of a long body with overflow: truncate', async () => {
    handle = (_request, response) => response.end('x'.repeat(5_000));
    const response = await guardedRequest(
      `http://127.0.0.1:${port}/`,
      options(loopbackAllowed, { overflow: 'truncate', maxResponseBytes: 100 }),
    );
    expect(response).toMatchObject({ status: 200, truncated: true });
    expect(response.body.toString()).toBe('x'.repeat(100));
  });

  it('fails with TIMEOUT when the answer does not complete in time', async () => {
    // given a server that sends headers and then stalls
    handle = (_request, response) => response.writeHead(200).write('partial');
    const error = await refusal(
      guardedRequest(`http://127.0.0.1:${port}/`, options(loopbackAllowed, { timeoutMs: 200 })),
    );
    expect(error.code).toBe('TIMEOUT');
  });

  it('fails with ABORTED when the signal fires', async () => {
    handle = () => undefined;
    const controller = new AbortController();
    const request = guardedRequest(`http://127.0.0.1:${port}/`, options(loopbackAllowed, { signal: controller.signal }));
    setTimeout(() => controller.abort(), 50);
    expect((await refusal(request)).code).toBe('ABORTED');
  });

  it('fails with NETWORK when nothing listens', async () => {
    // given a port that was just freed
    const closed = createServer();
    await new Promise<void>((listening) => closed.listen(0, '127.0.0.1', listening));
    const freePort = (closed.address() as AddressInfo).port;
    await new Promise((done) => closed.close(done));
    // when / then
    const error = await refusal(guardedRequest(`http://127.0.0.1:${freePort}/`, options(loopbackAllowed)));
    expect(error.code).toBe('NETWORK');
  });
});
