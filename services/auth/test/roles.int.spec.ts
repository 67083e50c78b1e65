import { startServiceUnderTest, type ServiceUnderTest } from '@conveyor/service-testing';
import { randomUUID } from 'node:crypto';
import { grantAdminCommand } from '../src/accounts/grant-admin/grant-admin.command';
import { authService } from '../src/auth.definition';
import type { AuthConfig } from '../src/auth.config';

const PASSWORD = 'correct horse battery staple';
const ADMIN_EMAIL = `admin-${randomUUID()}@example.com`;

describe('roles in access tokens (real Postgres and RabbitMQ)', () => {
  let auth: ServiceUnderTest<AuthConfig>;

  beforeAll(async () => {
    auth = await startServiceUnderTest(authService, { ADMIN_EMAIL: ADMIN_EMAIL.toUpperCase() });
  });

  afterAll(() => auth?.close());

  const register = (email: string) => auth.request('POST', '/v1/auth/register', { body: { email, password: PASSWORD } });
  const login = (email: string) => auth.request('POST', '/v1/auth/login', { body: { email, password: PASSWORD } });
  const rolesIn = (token: unknown) =>
    (JSON.parse(Buffer.from(String(token).split('.')[1], 'base64url').toString()) as { roles: string[] }).roles;

  it('gives an ordinary account the user role only', async () => {
    const email = `plain-${randomUUID()}@example.com`;
    await register(email);

    expect(rolesIn((await login(email)).body['accessToken'])).toEqual(['user']);
  });

  it('makes the ADMIN_EMAIL account an administrator, whatever the letter case', async () => {
    expect((await register(ADMIN_EMAIL)).status).toBe(201);

    expect(rolesIn((await login(ADMIN_EMAIL)).body['accessToken'])).toEqual(['user', 'admin']);
    expect(await auth.sql(`SELECT roles FROM auth.credentials WHERE email = $1`, [ADMIN_EMAIL])).toEqual([{ roles: ['user', 'admin'] }]);
  });

  it('grant-admin makes an existing account an administrator from its next token, once', async () => {
    const email = `later-admin-${randomUUID()}@example.com`;
    await register(email);
    const before = await login(email);

    expect(await grantAdminCommand(auth.config, [email.toUpperCase()])).toBe(`${email} is now an administrator`);
    expect(await grantAdminCommand(auth.config, [email])).toBe(`${email} was already an administrator`);

    const refreshed = await auth.request('POST', '/v1/auth/refresh', { body: { refreshToken: before.body['refreshToken'] } });
    expect(rolesIn(refreshed.body['accessToken'])).toEqual(['user', 'admin']);
  });

  it('grant-admin refuses an unknown email', async () => {
    await expect(grantAdminCommand(auth.config, ['nobody@example.com'])).rejects.toThrow('no account with email nobody@example.com');
    await expect(grantAdminCommand(auth.config, [])).rejects.toThrow('usage: grant-admin <email>');
  });
});
