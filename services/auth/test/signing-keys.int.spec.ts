import { generateSigningKey, signAccessToken, startServiceUnderTest, type ServiceUnderTest } from '@conveyor/service-testing';
import { randomUUID } from 'node:crypto';
import { authService } from '../src/auth.definition';
import type { AuthConfig } from '../src/auth.config';
import { rotateKeysCommand } from '../src/signing-keys/rotate-keys/rotate-keys.command';
import { currentKeySet } from '../src/signing-keys/signing-key.repository';
import { DataSource } from 'typeorm';
import { SigningKeys } from '../src/signing-keys/signing-keys';
import { ScheduledRotation } from '../src/signing-keys/rotate-keys/scheduled-rotation';

const PASSWORD = 'correct horse battery staple';

describe('signing keys, JWKS and rotation (real Postgres and RabbitMQ)', () => {
  let auth: ServiceUnderTest<AuthConfig>;

  beforeAll(async () => {
    // A rotated key signs at once here; the activation delay is checked on currentKeySet below.
    auth = await startServiceUnderTest(authService, { SIGNING_KEY_ACTIVATION_SECONDS: '0' });
  });

  afterAll(() => auth?.close());

  const jwks = async () => {
    const reply = await auth.request('GET', '/.well-known/jwks.json');
    expect(reply.status).toBe(200);
    return reply.body['keys'] as Record<string, string>[];
  };
  const loginToken = async () => {
    const email = `keys-${randomUUID()}@example.com`;
    await auth.request('POST', '/v1/auth/register', { body: { email, password: PASSWORD } });
    const login = await auth.request('POST', '/v1/auth/login', { body: { email, password: PASSWORD } });
    return String(login.body['accessToken']);
  };
  const kidOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as { kid: string }).kid;
  const me = async (token: string) => (await auth.request('GET', '/v1/auth/me', { token })).status;

  it('publishes public EC P-256 keys only, with kid, and lets clients cache them briefly', async () => {
    const response = await fetch(`${auth.url}/.well-known/jwks.json`);
    const { keys } = (await response.json()) as { keys: Record<string, string>[] };

    expect(response.headers.get('cache-control')).toBe('public, max-age=60');
    expect(keys.length).toBeGreaterThanOrEqual(1);
    for (const key of keys) {
      expect(key).toEqual({ kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String), kid: expect.any(String), alg: 'ES256', use: 'sig' });
    }
  });

  it('keeps private keys encrypted at rest', async () => {
    const rows = await auth.sql<{ private_key_encrypted: string; public_jwk: Record<string, string> }>(
      `SELECT private_key_encrypted, public_jwk FROM auth.signing_keys`,
    );

    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.private_key_encrypted).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
      expect(row.public_jwk['d']).toBeUndefined();
    }
  });

  it('after a rotation signs with the new key, and tokens of the previous key keep working until they expire', async () => {
    const before = await loginToken();

    await auth.app.get(SigningKeys).rotate();
    const after = await loginToken();

    expect(kidOf(after)).not.toBe(kidOf(before));
    expect((await jwks()).map((k) => k['kid'])).toEqual([kidOf(after), kidOf(before)]);
    expect(await me(before)).toBe(200);
    expect(await me(after)).toBe(200);
  });

  it('stops trusting a key once two newer ones exist (it is no longer published)', async () => {
    const old = await loginToken();

    await auth.app.get(SigningKeys).rotate();
    await auth.app.get(SigningKeys).rotate();

    expect((await jwks()).map((k) => k['kid'])).not.toContain(kidOf(old));
    expect(await me(old)).toBe(401);
  });

  it('rotates from the command line, as `main.ts rotate-keys`', async () => {
    const published = (await jwks()).map((k) => k['kid']);

    const message = await rotateKeysCommand(auth.config, []);

    const kid = /new signing key ([0-9a-f-]{36}): published now, signing in 0 s/.exec(message)?.[1];
    expect(kid).toBeDefined();
    // this instance reads keys again within seconds; the new key is published at once in the table
    const rows = await auth.sql<{ kid: string }>(`SELECT kid FROM auth.signing_keys ORDER BY created_at DESC LIMIT 1`);
    expect(rows[0].kid).toBe(kid);
    expect(published).not.toContain(kid);
  });

  it('with an activation delay, publishes a new key at once but signs with the one before it until the delay has passed', async () => {
    const kid = await auth.app.get(SigningKeys).rotate();
    const manager = auth.app.get(DataSource).manager;

    const waiting = await currentKeySet(manager, 60);
    // a minute passes for every key
    await auth.sql(`UPDATE auth.signing_keys SET created_at = created_at - interval '61 seconds'`);
    const activated = await currentKeySet(manager, 60);

    expect(waiting?.published[0].kid).toBe(kid);
    expect(waiting?.signing.kid).not.toBe(kid);
    expect(waiting?.published.map((k) => k.kid)).toContain(waiting?.signing.kid);
    expect(activated?.signing.kid).toBe(kid);
    expect(activated?.published.map((k) => k.kid)).toHaveLength(2);
  });

  it('rotates on schedule once the newest key is older than SIGNING_KEY_MAX_AGE_SECONDS, and only once', async () => {
    const schedule = auth.app.get(ScheduledRotation);
    expect(await schedule.rotateIfDue()).toBeUndefined();

    // thirty-one days pass
    await auth.sql(`UPDATE auth.signing_keys SET created_at = created_at - interval '31 days'`);
    const [first, second] = await Promise.all([schedule.rotateIfDue(), schedule.rotateIfDue()]);

    expect([first, second].filter(Boolean)).toHaveLength(1);
    const [newest] = await auth.sql<{ kid: string }>(`SELECT kid FROM auth.signing_keys ORDER BY created_at DESC LIMIT 1`);
    expect(newest.kid).toBe(first ?? second);
  });

  it('refuses tokens signed with a key it never had, even with a published kid', async () => {
    const [{ kid }] = await jwks();
    const forged = await signAccessToken({ key: { ...generateSigningKey(), kid } });

    expect(await me(forged)).toBe(401);
  });
});
