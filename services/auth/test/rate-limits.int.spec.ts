import { createServiceApp, type RunningService } from '@conveyor/platform';
import { startServiceUnderTest, type ServiceUnderTest } from '@conveyor/service-testing';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { authService } from '../src/auth.definition';
import type { AuthConfig } from '../src/auth.config';
import { signWithAuthKey } from './auth-keys';

describe('rate limits on auth’s public API (real Postgres and RabbitMQ)', () => {
  let auth: ServiceUnderTest<AuthConfig>;
  let second: RunningService;
  let secondUrl: string;

  beforeAll(async () => {
    auth = await startServiceUnderTest(authService, { RATE_LIMIT_REQUESTS: '3', RATE_LIMIT_WINDOW_SECONDS: '60', HTTP_TRUST_PROXY: 'loopback' });
    // A second instance on the same database: the counts are shared.
    second = await createServiceApp(authService, { ...auth.config, AMQP_NAMESPACE: `${auth.namespace}-second` });
    await second.start();
    secondUrl = `http://127.0.0.1:${(second.app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await second?.stop();
    await auth?.close();
  });

  const from = (ip: string, base = auth.url, path = '/v1/auth/me', token?: string) =>
    fetch(`${base}${path}`, { headers: { 'x-forwarded-for': ip, ...(token && { authorization: `Bearer ${token}` }) } });
  /** A public route: anonymous callers are counted per address. */
  const logout = (ip: string, base = auth.url) => fetch(`${base}/v1/auth/logout`, { method: 'POST', headers: { 'x-forwarded-for': ip } });

  it('tells each caller its budget, and answers 429 with Retry-After once it is spent, across instances', async () => {
    const ip = '192.0.2.1';
    const first = await logout(ip);
    await logout(ip, secondUrl);
    await logout(ip);

    const refused = await logout(ip, secondUrl);

    expect(first.headers.get('ratelimit-policy')).toBe('"api";q=3;w=60');
    expect(first.headers.get('ratelimit')).toMatch(/^"api";r=2;t=\d+$/);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get('ratelimit')).toMatch(/^"api";r=0;t=\d+$/);
    expect(await refused.json()).toMatchObject({ status: 429, code: 'RATE_LIMIT.EXCEEDED' });
    // another address has its own budget
    expect((await logout('192.0.2.2')).status).toBe(204);
  });

  it('counts authenticated callers per user, not per address', async () => {
    const ip = '192.0.2.3';
    const [ada, bob] = await Promise.all([signWithAuthKey(auth, { userId: randomUUID() }), signWithAuthKey(auth, { userId: randomUUID() })]);
    for (let i = 0; i < 3; i += 1) await from(ip, auth.url, '/v1/auth/me', ada);

    expect((await from(ip, auth.url, '/v1/auth/me', ada)).status).toBe(429);
    expect((await from(ip, auth.url, '/v1/auth/me', bob)).status).toBe(401); // the account does not exist; not limited
  });

  it('leaves health and the JWKS unlimited', async () => {
    const ip = '192.0.2.4';
    for (let i = 0; i < 5; i += 1) {
      expect((await from(ip, auth.url, '/health/live')).status).toBe(200);
      expect((await from(ip, auth.url, '/.well-known/jwks.json')).status).toBe(200);
    }
  });
});
