import { JwtService } from '@nestjs/jwt';
import { createPublicKey, randomUUID, type JsonWebKey } from 'node:crypto';
import { type Reply, STACK_TRACE, type ServiceUnderTest, startServiceUnderTest } from '@conveyor/service-testing';
import { authService } from '../src/auth.definition';
import type { AuthConfig } from '../src/auth.config';

const PASSWORD = 'correct horse battery staple';

describe('POST /v1/auth/login (real Postgres and RabbitMQ)', () => {
  let auth: ServiceUnderTest<AuthConfig>;
  let account: { id: string; email: string };

  beforeAll(async () => {
    // Production-like bcrypt cost, so the timing comparison below measures real hashing work.
    auth = await startServiceUnderTest(authService, { BCRYPT_ROUNDS: '10', LOGIN_MAX_FAILURES: '100' });
    const email = `login-${randomUUID()}@example.com`;
    const registered = await auth.request('POST', '/v1/auth/register', { body: { email, password: PASSWORD } });
    expect(registered.status).toBe(201);
    account = { id: String(registered.body['id']), email };
  });

  afterAll(() => auth?.close());

  const login = (email: string, password: string) =>
    auth.request('POST', '/v1/auth/login', { body: { email, password } });

  const withoutInstance = ({ body }: Reply) => {
    const { instance: _instance, ...rest } = body;
    return rest;
  };

  it('answers 200 with a bearer access token for the right email and password', async () => {
    const reply = await login(account.email, PASSWORD);

    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      accessToken: expect.any(String),
      tokenType: 'Bearer',
      expiresIn: 900,
      refreshToken: expect.stringMatching(/^crt_[A-Za-z0-9_-]{43}$/),
      refreshExpiresIn: 30 * 86_400,
    });
    const token = String(reply.body['accessToken']);
    const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as { alg: string; kid: string };
    const jwks = await auth.request('GET', '/.well-known/jwks.json');
    const jwk = (jwks.body['keys'] as { kid: string }[]).find((k) => k.kid === header.kid);
    expect(header.alg).toBe('ES256');
    expect(jwk).toBeDefined();
    const claims = await new JwtService().verifyAsync(token, {
      publicKey: createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString(),
      algorithms: ['ES256'],
      issuer: 'conveyor-auth',
    });
    expect(claims).toMatchObject({ sub: account.id, email: account.email, roles: ['user'] });
    expect(claims.exp - claims.iat).toBe(900);
  });

  it.each([
    ['all upper case', (email: string) => email.toUpperCase()],
    ['mixed case with surrounding spaces', (email: string) => `  ${email.charAt(0).toUpperCase()}${email.slice(1)} `],
  ])('accepts the email typed in %s', async (_, retype) => {
    const reply = await login(retype(account.email), PASSWORD);

    expect(reply.status).toBe(200);
    expect(reply.body['tokenType']).toBe('Bearer');
  });

  it('gives an unknown email and a wrong password the same 401 problem', async () => {
    // when
    const wrongPassword = await login(account.email, 'not the password');
    const unknownEmail = await login(`nobody-${randomUUID()}@example.com`, PASSWORD);

    // then neither answer tells a caller whether the account exists
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    expect(wrongPassword.contentType).toMatch(/^application\/problem\+json/);
    expect(unknownEmail.contentType).toBe(wrongPassword.contentType);
    expect(wrongPassword.body).toMatchObject({ status: 401, code: 'AUTH.INVALID_CREDENTIALS' });
    expect(withoutInstance(unknownEmail)).toEqual(withoutInstance(wrongPassword));
    expect(wrongPassword.text).not.toMatch(STACK_TRACE);
  });

  it('takes about as long to refuse an unknown email as a wrong password', async () => {
    // A security property, not a speed target: if an unknown email skipped bcrypt it would be
    // refused many times faster, and response times would reveal which emails have accounts.
    // The bounds are generous so that a busy machine cannot make the test flaky.
    const timed = async (email: string, password: string) => {
      const started = performance.now();
      const reply = await login(email, password);
      expect(reply.status).toBe(401);
      return performance.now() - started;
    };
    const unknownEmail = () => timed(`nobody-${randomUUID()}@example.com`, PASSWORD);
    const wrongPassword = () => timed(account.email, `wrong ${randomUUID()}`);
    await unknownEmail();
    await wrongPassword();

    // Alternating the two kinds spreads any drift in machine load over both samples.
    const unknown: number[] = [];
    const wrong: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      unknown.push(await unknownEmail());
      wrong.push(await wrongPassword());
    }

    const ratio = median(unknown) / median(wrong);
    expect(ratio).toBeGreaterThanOrEqual(0.5);
    expect(ratio).toBeLessThanOrEqual(2);
  });
});

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
