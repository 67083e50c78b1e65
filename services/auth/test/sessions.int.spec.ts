import { randomUUID } from 'node:crypto';
import { startServiceUnderTest, type Reply, type ServiceUnderTest } from '@conveyor/service-testing';
import { authService } from '../src/auth.definition';
import type { AuthConfig } from '../src/auth.config';

const PASSWORD = 'correct horse battery staple';

describe('sessions: refresh-token rotation, reuse detection, logout (real Postgres and RabbitMQ)', () => {
  let auth: ServiceUnderTest<AuthConfig>;

  beforeAll(async () => {
    auth = await startServiceUnderTest(authService);
  });

  afterAll(() => auth?.close());

  const newAccount = async () => {
    const email = `session-${randomUUID()}@example.com`;
    expect((await auth.request('POST', '/v1/auth/register', { body: { email, password: PASSWORD } })).status).toBe(201);
    return email;
  };
  const login = async (email: string, extra: object = {}) => {
    const reply = await auth.request('POST', '/v1/auth/login', { body: { email, password: PASSWORD, ...extra } });
    expect(reply.status).toBe(200);
    return reply;
  };
  const refresh = (refreshToken: string) => auth.request('POST', '/v1/auth/refresh', { body: { refreshToken } });
  const tokensOf = (reply: Reply) => ({ access: String(reply.body['accessToken']), refresh: String(reply.body['refreshToken']) });

  it('rotates the refresh token: the new one works, the presented one is spent', async () => {
    const first = tokensOf(await login(await newAccount()));

    const rotated = await refresh(first.refresh);

    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, refreshExpiresIn: expect.any(Number) });
    const second = tokensOf(rotated);
    expect(second.refresh).not.toBe(first.refresh);
    expect((await auth.request('GET', '/v1/auth/me', { token: second.access })).status).toBe(200);
    expect((await refresh(second.refresh)).status).toBe(200);
  });

  it('revokes the whole family when an already rotated token is presented again', async () => {
    // given login → refresh: the first token is rotated, the second is current
    const first = tokensOf(await login(await newAccount()));
    const second = tokensOf(await refresh(first.refresh));

    // when the first (rotated) token comes back
    const reused = await refresh(first.refresh);

    // then it is refused and the second token, though never used, no longer works either
    expect(reused.status).toBe(401);
    expect(reused.body).toMatchObject({ code: 'AUTH.INVALID_REFRESH_TOKEN' });
    const afterReuse = await refresh(second.refresh);
    expect(afterReuse.status).toBe(401);
    expect(afterReuse.body).toMatchObject({ code: 'AUTH.INVALID_REFRESH_TOKEN' });
  });

  it('leaves other sessions of the user alone when one family is revoked for reuse', async () => {
    const email = await newAccount();
    const stolen = tokensOf(await login(email));
    const laptop = tokensOf(await login(email));
    await refresh(stolen.refresh);

    await refresh(stolen.refresh);

    expect((await refresh(laptop.refresh)).status).toBe(200);
  });

  it('lets only one of two concurrent refreshes with the same token win', async () => {
    const first = tokensOf(await login(await newAccount()));

    const replies = await Promise.all([refresh(first.refresh), refresh(first.refresh)]);

    expect(replies.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it.each([
    ['an unknown token', `crt_${'A'.repeat(43)}`],
    ['a malformed token', 'not-a-token'],
  ])('answers 401 AUTH.INVALID_REFRESH_TOKEN for %s', async (_, token) => {
    const reply = await refresh(token);

    expect(reply.status).toBe(401);
    expect(reply.contentType).toMatch(/^application\/problem\+json/);
    expect(reply.body).toMatchObject({ code: 'AUTH.INVALID_REFRESH_TOKEN' });
  });

  it('answers 401 without any refresh token', async () => {
    expect((await auth.request('POST', '/v1/auth/refresh', { body: {} })).status).toBe(401);
  });

  it('logout revokes the family of the presented token and only that one', async () => {
    const email = await newAccount();
    const phone = tokensOf(await login(email));
    const laptop = tokensOf(await login(email));

    const out = await auth.request('POST', '/v1/auth/logout', { body: { refreshToken: phone.refresh } });

    expect(out.status).toBe(204);
    expect((await refresh(phone.refresh)).status).toBe(401);
    expect((await refresh(laptop.refresh)).status).toBe(200);
  });

  it('logout-all revokes every family of the caller', async () => {
    const email = await newAccount();
    const phone = tokensOf(await login(email));
    const laptop = tokensOf(await login(email));
    const other = tokensOf(await login(await newAccount()));

    const out = await auth.request('POST', '/v1/auth/logout-all', { token: phone.access });

    expect(out.status).toBe(204);
    expect((await refresh(phone.refresh)).status).toBe(401);
    expect((await refresh(laptop.refresh)).status).toBe(401);
    expect((await refresh(other.refresh)).status).toBe(200);
  });

  it('logout-all needs an access token', async () => {
    expect((await auth.request('POST', '/v1/auth/logout-all')).status).toBe(401);
  });

  it('keeps the refresh token in an httpOnly, Secure, SameSite=Strict cookie scoped to /v1/auth when asked', async () => {
    const email = await newAccount();
    const response = await fetch(`${auth.url}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: PASSWORD, refreshTokenCookie: true }),
    });
    const body = (await response.json()) as Record<string, unknown>;
    const cookie = response.headers.get('set-cookie') ?? '';

    expect(response.status).toBe(200);
    expect(body['refreshToken']).toBeUndefined();
    expect(body['accessToken']).toEqual(expect.any(String));
    expect(cookie).toMatch(/^conveyor_refresh=crt_[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\/v1\/auth/);

    // the cookie alone refreshes, and the next token comes back in the cookie
    const sent = cookie.split(';')[0];
    const refreshed = await fetch(`${auth.url}/v1/auth/refresh`, { method: 'POST', headers: { cookie: sent } });
    expect(refreshed.status).toBe(200);
    expect(((await refreshed.json()) as Record<string, unknown>)['refreshToken']).toBeUndefined();
    const next = (refreshed.headers.get('set-cookie') ?? '').split(';')[0];
    expect(next).not.toBe(sent);

    // logout with the cookie revokes the family and clears the cookie
    const out = await fetch(`${auth.url}/v1/auth/logout`, { method: 'POST', headers: { cookie: next } });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/conveyor_refresh=;/);
    expect((await fetch(`${auth.url}/v1/auth/refresh`, { method: 'POST', headers: { cookie: next } })).status).toBe(401);
  });

  it('stores refresh tokens only as SHA-256 hashes', async () => {
    const { refresh: token } = tokensOf(await login(await newAccount()));

    const rows = await auth.sql<{ token_hash: string }>(`SELECT token_hash FROM auth.refresh_tokens`);

    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).not.toContain(token.slice(4));
  });
});
