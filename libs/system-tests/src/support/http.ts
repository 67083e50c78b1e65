/** Minimal JSON-over-HTTP calls, for specs about the HTTP surface itself; specs that act as a client use the SDK (support/sdk.ts). */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export async function call(
  url: string,
  init: { method?: string; body?: unknown; token?: string } = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(init.body !== undefined && { 'content-type': 'application/json' }),
      ...(init.token && { authorization: `Bearer ${init.token}` }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : {}, headers: response.headers };
}

/** Registers a fresh user and logs in; returns the user's id, email and access token. */
export async function registerAndLogin(authUrl: string, email = `user-${Date.now()}-${Math.random().toString(16).slice(2)}@example.com`) {
  const password = 'correct horse battery';
  const registered = await call(`${authUrl}/v1/auth/register`, { body: { email, password, name: 'Test User' } });
  if (registered.status !== 201) throw new Error(`register answered ${registered.status}: ${JSON.stringify(registered.body)}`);
  const login = await call(`${authUrl}/v1/auth/login`, { body: { email, password } });
  return { id: String(registered.body['id']), email, token: String(login.body['accessToken']) };
}

export interface RecordedRequest {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A loopback webhook receiver that answers 204 and keeps every request it got, in order. */
export async function startRecordingReceiver(): Promise<{ url: string; received: RecordedRequest[]; close(): void }> {
  const received: RecordedRequest[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
    response.writeHead(204).end();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}
