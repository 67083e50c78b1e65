import { createEvent, UserRegisteredV1 } from '@conveyor/contracts';
import { signAccessToken, startServiceUnderTest, type ServiceUnderTest } from '@conveyor/service-testing';
import { waitFor } from '@conveyor/testing';
import { randomUUID } from 'node:crypto';
import type { UserConfig } from '../src/user.config';
import { userService } from '../src/user.definition';

describe('profile management and account deletion (real Postgres and RabbitMQ)', () => {
  let user: ServiceUnderTest<UserConfig>;
  let adminToken: string;

  beforeAll(async () => {
    user = await startServiceUnderTest(userService);
    adminToken = await signAccessToken({ roles: ['user', 'admin'] });
  });

  afterAll(() => user?.close());

  /** A registered user whose profile the service has materialised. */
  const newUser = async (name = 'Ada Lovelace', email = `users-${randomUUID()}@example.com`) => {
    const userId = randomUUID();
    const registration = createEvent(UserRegisteredV1, {
      source: '/conveyor/auth',
      subject: userId,
      data: { userId, email, name, registeredAt: new Date().toISOString() },
    });
    await user.publish(registration);
    const token = await signAccessToken({ userId, email });
    await waitFor(async () => (await user.request('GET', '/v1/users/me', { token })).status === 200, { description: 'the profile' });
    return { userId, email, token, registration };
  };
  const eventsOf = (type: string, userId: string) =>
    user.sql<{ data: Record<string, unknown> }>(`SELECT envelope->'data' AS data FROM users.outbox WHERE event_type = $1 AND envelope->>'subject' = $2`, [
      type,
      userId,
    ]);

  describe('PATCH /v1/users/me', () => {
    it('changes the name and records users.user.updated.v1', async () => {
      const { userId, token } = await newUser();

      const reply = await user.request('PATCH', '/v1/users/me', { token, body: { name: '  Ada King ' } });

      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ id: userId, name: 'Ada King' });
      expect((await user.request('GET', '/v1/users/me', { token })).body['name']).toBe('Ada King');
      const events = await eventsOf('users.user.updated.v1', userId);
      expect(events).toEqual([{ data: { userId, name: 'Ada King', updatedAt: reply.body['updatedAt'] } }]);
    });

    it.each([
      ['an empty body', {}],
      ['an unknown field', { email: 'new@example.com' }],
      ['a name too long', { name: 'x'.repeat(201) }],
      ['a blank name', { name: '   ' }],
    ])('answers 400 REQUEST.INVALID for %s', async (_, body) => {
      const { token } = await newUser();

      const reply = await user.request('PATCH', '/v1/users/me', { token, body });

      expect(reply.status).toBe(400);
      expect(reply.body['code']).toBe('REQUEST.INVALID');
    });
  });

  describe('DELETE /v1/users/me', () => {
    it('anonymises the profile, records users.user.deleted.v1 once, and then answers 404', async () => {
      const { userId, token, registration } = await newUser();

      const first = await user.request('DELETE', '/v1/users/me', { token });
      const second = await user.request('DELETE', '/v1/users/me', { token });

      expect(first.status).toBe(204);
      expect(second.status).toBe(404);
      expect((await user.request('GET', '/v1/users/me', { token })).status).toBe(404);
      expect(await user.sql(`SELECT email, name FROM users.profiles WHERE user_id = $1`, [userId])).toEqual([{ email: null, name: null }]);
      const events = await eventsOf('users.user.deleted.v1', userId);
      expect(events).toEqual([{ data: { userId, deletedBy: 'self', deletedAt: expect.any(String) } }]);

      // a redelivered (or late) registration does not bring the data back
      const late = { ...registration, id: randomUUID() };
      await user.publish(late);
      await waitFor(async () => (await user.sql(`SELECT 1 FROM users.inbox WHERE event_id = $1`, [late.id])).length === 1, {
        description: 'the late registration to be handled',
      });
      expect(await user.sql(`SELECT email FROM users.profiles WHERE user_id = $1`, [userId])).toEqual([{ email: null }]);
    });
  });

  describe('admin routes', () => {
    it.each([
      ['GET', '/v1/users'],
      ['GET', `/v1/users/${randomUUID()}`],
      ['DELETE', `/v1/users/${randomUUID()}`],
    ])('answers 403 AUTH.FORBIDDEN to a non-admin on %s %s', async (method, path) => {
      const reply = await user.request(method, path, { token: await signAccessToken() });

      expect(reply.status).toBe(403);
      expect(reply.body['code']).toBe('AUTH.FORBIDDEN');
    });

    it('answers 401 without a token', async () => {
      expect((await user.request('GET', '/v1/users')).status).toBe(401);
    });

    it('lets an admin read one profile, and answers 404 for unknown or malformed ids', async () => {
      const { userId, email } = await newUser('Grace Hopper');

      const found = await user.request('GET', `/v1/users/${userId}`, { token: adminToken });

      expect(found.status).toBe(200);
      expect(found.body).toMatchObject({ id: userId, email, name: 'Grace Hopper' });
      expect((await user.request('GET', `/v1/users/${randomUUID()}`, { token: adminToken })).status).toBe(404);
      expect((await user.request('GET', '/v1/users/not-a-uuid', { token: adminToken })).status).toBe(404);
    });

    it('lists profiles newest first, pages with a cursor and searches email and name', async () => {
      const tag = randomUUID().slice(0, 8);
      const a = await newUser(`Search ${tag} one`);
      const b = await newUser(`Search ${tag} two`);
      const c = await newUser('Someone else', `${tag}@example.com`);

      const first = await user.request('GET', `/v1/users?q=${tag}&limit=2`, { token: adminToken });
      const second = await user.request('GET', `/v1/users?q=${tag}&limit=2&cursor=${String(first.body['nextCursor'])}`, { token: adminToken });

      expect(first.status).toBe(200);
      const ids = (reply: typeof first) => (reply.body['items'] as { id: string }[]).map((i) => i.id);
      expect(ids(first)).toEqual([c.userId, b.userId]);
      expect(ids(second)).toEqual([a.userId]);
      expect(second.body['nextCursor']).toBeNull();
      expect((await user.request('GET', '/v1/users?cursor=bogus!', { token: adminToken })).status).toBe(400);
      expect((await user.request('GET', '/v1/users?q=%25', { token: adminToken })).body['items']).toEqual([]);
    });

    it('lets an admin delete an account, which then leaves the list', async () => {
      const { userId, token } = await newUser();

      const reply = await user.request('DELETE', `/v1/users/${userId}`, { token: adminToken });

      expect(reply.status).toBe(204);
      expect((await user.request('GET', '/v1/users/me', { token })).status).toBe(404);
      expect(await eventsOf('users.user.deleted.v1', userId)).toEqual([{ data: { userId, deletedBy: 'admin', deletedAt: expect.any(String) } }]);
      expect((await user.request('DELETE', `/v1/users/${userId}`, { token: adminToken })).status).toBe(404);
    });
  });
});
