import { notRefused, refusedTokens, rowsAsText, SQL_INJECTION_PROBES, startServiceUnderTest, type ServiceUnderTest } from '@conveyor/service-testing';
import { createHash, randomUUID } from 'node:crypto';
import type { AuthConfig } from '../src/auth.config';
import { authService } from '../src/auth.definition';
import { SigningKeys } from '../src/signing-keys/signing-keys';

const PASSWORD = 'correct horse battery staple';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

interface Client {
  userId: string;
  email: string;
  password: string;
  token: string;
  refreshToken: string;
}

describe('auth security: tenants, tokens, secrets at rest and in events, injection', () => {
  let auth: ServiceUnderTest<AuthConfig>;

  beforeAll(async () => {
    auth = await startServiceUnderTest(authService);
  });

  afterAll(() => auth?.close());

  const newClient = async (password = `${PASSWORD} ${randomUUID().slice(0, 8)}`): Promise<Client> => {
    const email = `sec-${randomUUID()}@example.com`;
    const registered = await auth.request('POST', '/v1/auth/register', { body: { email, password, name: 'Sec' } });
    expect(registered.status).toBe(201);
    const login = await auth.request('POST', '/v1/auth/login', { body: { email, password } });
    expect(login.status).toBe(200);
    return {
      userId: String(registered.body['id']),
      email,
      password,
      token: String(login.body['accessToken']),
      refreshToken: String(login.body['refreshToken']),
    };
  };

  const createKey = async (client: Client, name = 'worker') => {
    const reply = await auth.request('POST', '/v1/auth/api-keys', { token: client.token, body: { name } });
    expect(reply.status).toBe(201);
    return { id: String(reply.body['id']), key: String(reply.body['key']) };
  };

  describe('tenant isolation', () => {
    it("answers 404 to client B revoking client A's API key, and A's key stays active", async () => {
      const [a, b] = [await newClient(), await newClient()];
      const key = await createKey(a);
      const reply = await auth.request('DELETE', `/v1/auth/api-keys/${key.id}`, { token: b.token });
      expect(reply.status).toBe(404);
      expect(reply.body).toMatchObject({ code: 'AUTH.API_KEY_NOT_FOUND' });
      const [row] = await auth.sql<{ revoked_at: Date | null }>('SELECT revoked_at FROM auth.api_keys WHERE id = $1', [key.id]);
      expect(row?.revoked_at).toBeNull();
    });

    it("never lists client A's keys or shows A's account to client B", async () => {
      const [a, b] = [await newClient(), await newClient()];
      const key = await createKey(a);
      await createKey(b);
      const keys = await auth.request('GET', '/v1/auth/api-keys', { token: b.token });
      expect(keys.status).toBe(200);
      expect(keys.text).not.toContain(key.id);
      const me = await auth.request('GET', '/v1/auth/me', { token: b.token });
      expect(me.body['id']).toBe(b.userId);
      expect(me.text).not.toContain(a.email);
    });

    it("does not let client B end client A's session with B's token", async () => {
      const [a, b] = [await newClient(), await newClient()];
      await auth.request('POST', '/v1/auth/logout-all', { token: b.token });
      expect((await auth.request('POST', '/v1/auth/refresh', { body: { refreshToken: a.refreshToken } })).status).toBe(200);
    });
  });

  it('refuses expired, tampered, alg none, unknown-key and other-issuer tokens on every route that takes one', async () => {
    const client = await newClient();
    const key = await createKey(client);
    const tokens = await refusedTokens(client.userId, ['user'], await auth.app.get(SigningKeys).current());
    const routes = [
      { method: 'POST', path: '/v1/auth/logout-all' },
      { method: 'POST', path: '/v1/auth/password/change', body: { currentPassword: client.password, newPassword: `${PASSWORD}!` } },
      { method: 'GET', path: '/v1/auth/me' },
      { method: 'POST', path: '/v1/auth/api-keys', body: { name: 'stolen' } },
      { method: 'GET', path: '/v1/auth/api-keys' },
      { method: 'DELETE', path: `/v1/auth/api-keys/${key.id}` },
    ];
    expect(await notRefused(auth.url, routes, { ...tokens, 'an API key (not an access token)': key.key })).toEqual([]);
    const [row] = await auth.sql<{ revoked_at: Date | null }>('SELECT revoked_at FROM auth.api_keys WHERE id = $1', [key.id]);
    expect(row?.revoked_at).toBeNull();
    expect((await auth.request('POST', '/v1/auth/login', { body: { email: client.email, password: client.password } })).status).toBe(200);
  });

  describe('secrets', () => {
    it('never answers with a password, a password hash, an API key after its creation, or a refresh token outside login and refresh', async () => {
      const client = await newClient();
      const key = await createKey(client);
      const [row] = await auth.sql<{ password_hash: string }>('SELECT password_hash FROM auth.credentials WHERE id = $1', [client.userId]);
      const replies = [
        await auth.request('GET', '/v1/auth/me', { token: client.token }),
        await auth.request('GET', '/v1/auth/api-keys', { token: client.token }),
        await auth.request('POST', '/v1/auth/password/forgot', { body: { email: client.email } }),
        await auth.request('POST', '/v1/auth/register', { body: { email: client.email, password: client.password } }),
        await auth.request('POST', '/v1/auth/login', { body: { email: client.email, password: 'wrong password!' } }),
      ];
      for (const reply of replies) {
        for (const secret of [client.password, row?.password_hash ?? '$2', key.key, key.key.slice(8), sha256(key.key), client.refreshToken]) {
          expect(reply.text).not.toContain(secret);
        }
      }
    });

    it('stores passwords as bcrypt hashes and keys and refresh tokens as SHA-256, and puts none of them in an event', async () => {
      const client = await newClient();
      const key = await createKey(client);
      const refreshed = await auth.request('POST', '/v1/auth/refresh', { body: { refreshToken: client.refreshToken } });
      const nextRefresh = String(refreshed.body['refreshToken']);
      const [credentials] = await auth.sql<{ password_hash: string }>('SELECT password_hash FROM auth.credentials WHERE id = $1', [client.userId]);
      expect(credentials?.password_hash).toMatch(/^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/);
      const [apiKey] = await auth.sql<{ key_hash: string }>('SELECT key_hash FROM auth.api_keys WHERE id = $1', [key.id]);
      expect(apiKey?.key_hash).toBe(sha256(key.key));
      const tokenHashes = (await auth.sql<{ token_hash: string }>('SELECT token_hash FROM auth.refresh_tokens WHERE user_id = $1', [client.userId])).map((r) => r.token_hash);
      expect(tokenHashes).toEqual(expect.arrayContaining([sha256(client.refreshToken), sha256(nextRefresh)]));
      // Every row of every table, the outbox (the events) included, is free of the plaintext.
      const rows = await rowsAsText(auth.sql, 'auth');
      for (const secret of [client.password, key.key, key.key.slice(8), client.refreshToken, nextRefresh]) {
        expect(rows.filter((text) => text.includes(secret))).toEqual([]);
      }
      const [signing] = await auth.sql<{ private_key_encrypted: string }>('SELECT private_key_encrypted::text FROM auth.signing_keys LIMIT 1');
      expect(signing?.private_key_encrypted).not.toMatch(/PRIVATE KEY|"d":/);
    });
  });

  it('treats SQL injection probes in every string field as plain text', async () => {
    const client = await newClient();
    const [{ n: before } = { n: 0 }] = await auth.sql<{ n: number }>('SELECT count(*)::int AS n FROM auth.credentials');
    const hashOf = async () => (await auth.sql<{ h: string }>('SELECT password_hash AS h FROM auth.credentials WHERE id = $1', [client.userId]))[0]?.h;
    const hash = await hashOf();
    for (const probe of SQL_INJECTION_PROBES) {
      const key = await auth.request('POST', '/v1/auth/api-keys', { token: client.token, body: { name: probe.trim() || 'x' } });
      expect(key.status === 201 || key.status === 409).toBe(true);
      for (const [path, body] of [
        ['/v1/auth/login', { email: probe, password: probe }],
        ['/v1/auth/login', { email: client.email, password: probe }],
        ['/v1/auth/refresh', { refreshToken: probe }],
        ['/v1/auth/confirm', { token: probe }],
        ['/v1/auth/password/reset', { token: probe, password: `${PASSWORD} ${probe}`.slice(0, 72) }],
        ['/v1/auth/password/forgot', { email: probe }],
        ['/v1/auth/register', { email: probe, password: PASSWORD, name: probe }],
      ] as const) {
        const reply = await auth.request('POST', path, { body });
        expect(reply.status).toBeGreaterThanOrEqual(200);
        expect(reply.status).toBeLessThan(500);
        if (path === '/v1/auth/login') expect(reply.status).not.toBe(200);
      }
      expect((await auth.request('DELETE', `/v1/auth/api-keys/${encodeURIComponent(probe)}`, { token: client.token })).status).toBe(404);
    }
    expect((await auth.request('GET', '/v1/auth/api-keys', { token: client.token })).text).toContain('DROP TABLE outbox');
    const [{ n: after } = { n: 0 }] = await auth.sql<{ n: number }>('SELECT count(*)::int AS n FROM auth.credentials');
    expect(after).toBe(before);
    // (logging in again would meet the brute-force lock these failed logins earned)
    expect(await hashOf()).toBe(hash);
  });
});
