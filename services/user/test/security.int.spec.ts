import { createEvent, UserRegisteredV1 } from '@conveyor/contracts';
import {
  notRefused,
  refusedTokens,
  signAccessToken,
  SQL_INJECTION_PROBES,
  startServiceUnderTest,
  type ServiceUnderTest,
} from '@conveyor/service-testing';
import { waitFor } from '@conveyor/testing';
import { randomUUID } from 'node:crypto';
import type { UserConfig } from '../src/user.config';
import { userService } from '../src/user.definition';

describe('user security: tenants, tokens, injection', () => {
  let user: ServiceUnderTest<UserConfig>;

  beforeAll(async () => {
    user = await startServiceUnderTest(userService);
  });

  afterAll(() => user?.close());

  const newProfile = async (name = 'Someone') => {
    const userId = randomUUID();
    const email = `sec-${userId}@example.com`;
    await user.publish(
      createEvent(UserRegisteredV1, { source: '/conveyor/auth', subject: userId, data: { userId, email, name, registeredAt: new Date().toISOString() } }),
    );
    await waitFor(async () => (await user.sql('SELECT 1 FROM users.profiles WHERE user_id = $1', [userId])).length === 1, { description: 'the profile' });
    return { userId, email, token: await signAccessToken({ userId, email }) };
  };

  it("keeps client A's profile from client B: /me is always the caller's, the admin routes answer 403", async () => {
    const [a, b] = [await newProfile('Alice'), await newProfile('Bob')];
    const me = await user.request('GET', '/v1/users/me', { token: b.token });
    expect(me.body['id']).toBe(b.userId);
    expect(me.text).not.toContain(a.email);
    for (const [method, path] of [
      ['GET', `/v1/users/${a.userId}`],
      ['DELETE', `/v1/users/${a.userId}`],
      ['GET', '/v1/users'],
      ['GET', `/v1/users?q=${encodeURIComponent(a.email)}`],
    ] as const) {
      const reply = await user.request(method, path, { token: b.token });
      expect(reply.status).toBe(403);
      expect(reply.text).not.toContain(a.email);
    }
    // PATCH and DELETE /me act on B only
    await user.request('PATCH', '/v1/users/me', { token: b.token, body: { name: 'Mallory' } });
    expect((await user.request('GET', '/v1/users/me', { token: a.token })).body['name']).toBe('Alice');
  });

  it('refuses expired, tampered, alg none, unknown-key and other-issuer tokens on every route', async () => {
    const a = await newProfile();
    const tokens = await refusedTokens(a.userId);
    const routes = [
      { method: 'GET', path: '/v1/users/me' },
      { method: 'PATCH', path: '/v1/users/me', body: { name: 'x' } },
      { method: 'DELETE', path: '/v1/users/me' },
      { method: 'GET', path: '/v1/users' },
      { method: 'GET', path: `/v1/users/${a.userId}` },
      { method: 'DELETE', path: `/v1/users/${a.userId}` },
    ];
    expect(await notRefused(user.url, routes, tokens)).toEqual([]);
    expect((await user.request('GET', '/v1/users/me', { token: a.token })).status).toBe(200);
  });

  it('stores injection probes as plain text and searches for them literally', async () => {
    const admin = await signAccessToken({ roles: ['user', 'admin'] });
    const a = await newProfile();
    const [{ n: before } = { n: 0 }] = await user.sql<{ n: number }>('SELECT count(*)::int AS n FROM users.profiles WHERE deleted_at IS NULL');
    for (const probe of SQL_INJECTION_PROBES) {
      const patched = await user.request('PATCH', '/v1/users/me', { token: a.token, body: { name: probe } });
      expect(patched.status).toBe(200);
      expect(patched.body['name']).toBe(probe.trim());
      const found = await user.request('GET', `/v1/users?q=${encodeURIComponent(probe)}`, { token: admin });
      expect(found.status).toBe(200);
      expect((found.body['items'] as { id: string }[]).map((p) => p.id)).toEqual([a.userId]);
      expect((await user.request('GET', `/v1/users/${encodeURIComponent(probe)}`, { token: admin })).status).toBe(404);
      expect((await user.request('GET', `/v1/users?cursor=${encodeURIComponent(probe)}`, { token: admin })).status).toBe(400);
    }
    // LIKE wildcards are literal too: '%' and '_' match only names that contain them.
    for (const wildcard of ['%', '_', '\\']) {
      const found = await user.request('GET', `/v1/users?q=${encodeURIComponent(wildcard)}&limit=100`, { token: admin });
      for (const profile of found.body['items'] as { name: string | null; email: string }[]) {
        expect(`${profile.name ?? ''} ${profile.email}`).toContain(wildcard);
      }
    }
    const [{ n: after } = { n: 0 }] = await user.sql<{ n: number }>('SELECT count(*)::int AS n FROM users.profiles WHERE deleted_at IS NULL');
    expect(after).toBe(before);
  });
});
