import { startServiceUnderTest, type ServiceUnderTest } from '@conveyor/service-testing';
import { waitFor } from '@conveyor/testing';
import { randomUUID } from 'node:crypto';
import { authService } from '../src/auth.definition';
import type { AuthConfig } from '../src/auth.config';

const PASSWORD = 'correct horse battery staple';

describe('brute-force protection of login (real Postgres and RabbitMQ)', () => {
  let auth: ServiceUnderTest<AuthConfig>;

  beforeAll(async () => {
    // Small limits so the spec is quick: 3 failures per email, 8 per IP, locks from 1 s doubling.
    auth = await startServiceUnderTest(authService, {
      LOGIN_MAX_FAILURES: '3',
      LOGIN_MAX_FAILURES_PER_IP: '8',
      LOGIN_LOCKOUT_SECONDS: '1',
      LOGIN_LOCKOUT_MAX_SECONDS: '60',
      HTTP_TRUST_PROXY: 'loopback',
    });
  });

  afterAll(() => auth?.close());

  beforeEach(() => auth.sql(`DELETE FROM auth.login_failures`));

  const newAccount = async () => {
    const email = `brute-${randomUUID()}@example.com`;
    expect((await auth.request('POST', '/v1/auth/register', { body: { email, password: PASSWORD } })).status).toBe(201);
    return email;
  };
  const login = (email: string, password: string, ip = '198.51.100.7') =>
    fetch(`${auth.url}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
      body: JSON.stringify({ email, password }),
    });

  it('locks an email after repeated wrong passwords: 429 with Retry-After, even for the right password, until the back-off has passed', async () => {
    const email = await newAccount();
    for (let i = 0; i < 3; i += 1) expect((await login(email, 'wrong password')).status).toBe(401);

    const locked = await login(email, PASSWORD);

    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await locked.json()).toMatchObject({ status: 429, code: 'AUTH.TOO_MANY_LOGIN_ATTEMPTS' });
    await waitFor(async () => (await login(email, PASSWORD)).status === 200, { description: 'the lock to end', timeoutMs: 5_000, intervalMs: 200 });
  });

  it('doubles the lock with each failure after the limit', async () => {
    const email = await newAccount();
    for (let i = 0; i < 3; i += 1) await login(email, 'wrong password');
    const first = await auth.sql<{ seconds: number }>(`SELECT extract(epoch FROM locked_until - last_failure_at)::float AS seconds FROM auth.login_failures WHERE key LIKE 'email:%'`);
    await auth.sql(`UPDATE auth.login_failures SET locked_until = now() WHERE key LIKE 'email:%'`);

    expect((await login(email, 'wrong again')).status).toBe(401);

    const second = await auth.sql<{ seconds: number }>(`SELECT extract(epoch FROM locked_until - last_failure_at)::float AS seconds FROM auth.login_failures WHERE key LIKE 'email:%'`);
    expect(first[0].seconds).toBeCloseTo(1, 0);
    expect(second[0].seconds).toBeCloseTo(2, 0);
  });

  it('treats unknown emails like known ones, and stores no email address', async () => {
    const email = `nobody-${randomUUID()}@example.com`;
    for (let i = 0; i < 3; i += 1) expect((await login(email, 'guess')).status).toBe(401);

    expect((await login(email, 'guess')).status).toBe(429);
    expect(JSON.stringify(await auth.sql(`SELECT key FROM auth.login_failures`))).not.toContain('nobody');
  });

  it('limits one IP across many emails, and leaves other IPs alone', async () => {
    for (let i = 0; i < 8; i += 1) await login(`spray-${i}-${randomUUID()}@example.com`, 'guess', '203.0.113.9');
    const email = await newAccount();

    expect((await login(email, PASSWORD, '203.0.113.9')).status).toBe(429);
    expect((await login(email, PASSWORD, '203.0.113.10')).status).toBe(200);
  });
});
