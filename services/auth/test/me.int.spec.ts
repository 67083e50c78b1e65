import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import { generateSigningKey, STACK_TRACE, type ServiceUnderTest, startServiceUnderTest } from '@conveyor/service-testing';
import { authService } from '../src/auth.definition';
import type { AuthConfig } from '../src/auth.config';
import { SigningKeys } from '../src/signing-keys/signing-keys';

const PASSWORD = 'correct horse battery staple';


describe('GET /v1/auth/me (real Postgres and RabbitMQ)', () => {
  let auth: ServiceUnderTest<AuthConfig>;
  let account: Record<string, unknown>;
  let accessToken: string;

  beforeAll(async () => {
    auth = await startServiceUnderTest(authService);
    const email = `me-${randomUUID()}@example.com`;
    const registered = await auth.request('POST', '/v1/auth/register', {
      body: { email, password: PASSWORD, name: 'Ada Lovelace' },
    });
    expect(registered.status).toBe(201);
    account = registered.body;
    const login = await auth.request('POST', '/v1/auth/login', { body: { email, password: PASSWORD } });
    accessToken = String(login.body['accessToken']);
  });

  afterAll(() => auth?.close());

  /** Signs tokens as the auth service does (ES256 with its current key, issuer conveyor-auth) unless told otherwise. */
  const signer = async (key?: { kid: string; privateKey: import('node:crypto').KeyObject }) => {
    const { kid, privateKey } = key ?? (await auth.app.get(SigningKeys).current());
    return new JwtService({ privateKey, signOptions: { algorithm: 'ES256', keyid: kid, issuer: 'conveyor-auth' } });
  };

  const me = (headers: Record<string, string> = {}) => auth.request('GET', '/v1/auth/me', { headers });

  it('answers 200 with the account of a valid access token', async () => {
    const reply = await me({ authorization: `Bearer ${accessToken}` });

    expect(reply.status).toBe(200);
    expect(reply.body).toEqual(account);
  });

  const claimsOf = () => ({ sub: String(account['id']), email: String(account['email']), roles: ['user'] });

  it.each<[string, () => Promise<Record<string, string>>]>([
    ['there is no Authorization header', async () => ({})],
    ['the token is garbage', async () => ({ authorization: 'Bearer not.a.token' })],
    [
      'the token is signed with a key auth does not publish',
      async () => ({
        authorization: `Bearer ${await (await signer(generateSigningKey())).signAsync(claimsOf(), { expiresIn: 60 })}`,
      }),
    ],
    [
      'the token has expired',
      async () => ({
        authorization: `Bearer ${await (await signer()).signAsync({ ...claimsOf(), exp: Math.floor(Date.now() / 1000) - 60 })}`,
      }),
    ],
    [
      'the token was issued by someone else',
      async () => ({
        authorization: `Bearer ${await (await signer()).signAsync(claimsOf(), { issuer: 'somebody-else', expiresIn: 60 })}`,
      }),
    ],
    [
      'a correctly signed token never expires',
      async () => ({ authorization: `Bearer ${await (await signer()).signAsync(claimsOf())}` }),
    ],
    [
      'a correctly signed token has no subject',
      async () => ({ authorization: `Bearer ${await (await signer()).signAsync({ email: 'x@example.com' }, { expiresIn: 60 })}` }),
    ],
    [
      'a correctly signed token has a subject that is not a user id',
      async () => ({ authorization: `Bearer ${await (await signer()).signAsync({ ...claimsOf(), sub: 'not-a-uuid' }, { expiresIn: 60 })}` }),
    ],
    [
      'the credentials use the Basic scheme',
      async () => ({ authorization: `Basic ${Buffer.from(`${account['email']}:${PASSWORD}`).toString('base64')}` }),
    ],
  ])('answers 401 AUTH.UNAUTHENTICATED when %s', async (_, headers) => {
    const reply = await me(await headers());

    expect(reply.status).toBe(401);
    expect(reply.contentType).toMatch(/^application\/problem\+json/);
    expect(reply.body).toMatchObject({ status: 401, code: 'AUTH.UNAUTHENTICATED', instance: '/v1/auth/me' });
    expect(reply.text).not.toMatch(STACK_TRACE);
  });

  it('answers 401 AUTH.ACCOUNT_NOT_FOUND for a valid token whose account does not exist', async () => {
    const token = await (await signer()).signAsync({ ...claimsOf(), sub: randomUUID() }, { expiresIn: 60 });

    const reply = await me({ authorization: `Bearer ${token}` });

    expect(reply.status).toBe(401);
    expect(reply.body).toMatchObject({ status: 401, code: 'AUTH.ACCOUNT_NOT_FOUND' });
  });
});
