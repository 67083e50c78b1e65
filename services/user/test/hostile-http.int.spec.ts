import { deeplyNested, sendRaw, signAccessToken, startServiceUnderTest, type ServiceUnderTest } from '@conveyor/service-testing';
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import type { UserConfig } from '../src/user.config';
import { userService } from '../src/user.definition';

/** Requests the fuzz suite found answered with a 500 or with no problem document (shared platform code). */
describe('hostile HTTP requests the platform answers with problem documents', () => {
  let user: ServiceUnderTest<UserConfig>;
  let token: string;

  beforeAll(async () => {
    user = await startServiceUnderTest(userService);
    token = await signAccessToken({ userId: randomUUID() });
  });

  afterAll(() => user?.close());

  const patch = (body: string, headers: Record<string, string> = {}) =>
    sendRaw(user.url, {
      method: 'PATCH',
      path: '/v1/users/me',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      body,
      mutations: [],
    });

  const problem = (text: string) => JSON.parse(text) as Record<string, unknown>;

  it('answers 400 REQUEST.UNREADABLE_BODY, not 500, for a body that claims gzip and is not', async () => {
    const reply = await patch('{"name":"Ada"}', { 'content-encoding': 'gzip' });
    expect(reply.status).toBe(400);
    expect(reply.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(problem(reply.text)).toMatchObject({ status: 400, code: 'REQUEST.UNREADABLE_BODY' });
  });

  it.each([
    ['objects', deeplyNested(100_000)],
    ['arrays', `{"name":"Ada","x":${deeplyNested(100_000, '[', ']')}}`],
  ])('answers 400 REQUEST.TOO_DEEP, not 500, for JSON %s nested 100,000 levels deep', async (_, body) => {
    const reply = await patch(body);
    expect(reply.status).toBe(400);
    expect(problem(reply.text)).toMatchObject({ status: 400, code: 'REQUEST.TOO_DEEP' });
  });

  it('still takes a body nested as deep as the limit allows', async () => {
    const reply = await patch(`{"name":"Ada","x":${deeplyNested(62, '[', ']')}}`);
    // Refused by the route's schema (unknown field), not by the depth check.
    expect(problem(reply.text)).toMatchObject({ status: 400, code: 'REQUEST.INVALID' });
  });

  it('answers 431 REQUEST.HEADERS_TOO_LARGE with a problem document for headers over the limit', async () => {
    const reply = await sendRaw(user.url, { method: 'GET', path: '/v1/users/me', headers: { 'x-filler': 'y'.repeat(70_000) }, mutations: [] });
    expect(reply.status).toBe(431);
    expect(reply.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(problem(reply.text)).toMatchObject({ status: 431, code: 'REQUEST.HEADERS_TOO_LARGE' });
  });

  it('answers 400 REQUEST.MALFORMED with a problem document for a request Node cannot parse', async () => {
    const { port } = new URL(user.url);
    const text = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write('GET /v1/users/me HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n'));
      let received = '';
      socket.on('data', (chunk) => (received += chunk.toString('utf8')));
      socket.on('end', () => resolve(received));
      socket.on('error', reject);
    });
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    expect(text).toMatch(/content-type: application\/problem\+json/i);
    expect(problem(text.slice(text.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 400, code: 'REQUEST.MALFORMED' });
  });
});
