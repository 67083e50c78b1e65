import { createEvent, UserDeletedV1 } from '@conveyor/contracts';
import { startServiceUnderTest, type ServiceUnderTest } from '@conveyor/service-testing';
import { waitFor } from '@conveyor/testing';
import { randomUUID } from 'node:crypto';
import { authService } from '../src/auth.definition';
import type { AuthConfig } from '../src/auth.config';

const PASSWORD = 'correct horse battery staple';

describe('users.user.deleted.v1 in auth (real Postgres and RabbitMQ)', () => {
  let auth: ServiceUnderTest<AuthConfig>;

  beforeAll(async () => {
    auth = await startServiceUnderTest(authService);
  });

  afterAll(() => auth?.close());

  const newClientWithKeys = async () => {
    const email = `deleted-${randomUUID()}@example.com`;
    const registered = await auth.request('POST', '/v1/auth/register', { body: { email, password: PASSWORD, name: 'Ada' } });
    const login = await auth.request('POST', '/v1/auth/login', { body: { email, password: PASSWORD } });
    const token = String(login.body['accessToken']);
    for (const name of ['one', 'two']) expect((await auth.request('POST', '/v1/auth/api-keys', { token, body: { name } })).status).toBe(201);
    return { userId: String(registered.body['id']), email, token, refreshToken: String(login.body['refreshToken']) };
  };
  const deletion = (userId: string) =>
    createEvent(UserDeletedV1, { source: '/conveyor/user', subject: userId, data: { userId, deletedBy: 'self', deletedAt: new Date().toISOString() } });
  const handled = (eventId: string) =>
    waitFor(async () => (await auth.sql(`SELECT 1 FROM auth.inbox WHERE event_id = $1`, [eventId])).length === 1, {
      description: `event ${eventId} to be handled`,
    });
  const outboxOf = (userId: string) =>
    auth.sql<{ event_type: string }>(`SELECT event_type FROM auth.outbox WHERE envelope->'data'->>'userId' = $1 ORDER BY seq`, [userId]);

  it('disables the credentials, erases email and name, revokes refresh tokens and API keys with their events', async () => {
    const client = await newClientWithKeys();
    const other = await newClientWithKeys();
    const event = deletion(client.userId);

    await auth.publish(event);
    await handled(event.id);

    const login = await auth.request('POST', '/v1/auth/login', { body: { email: client.email, password: PASSWORD } });
    expect(login.status).toBe(401);
    expect(login.body['code']).toBe('AUTH.INVALID_CREDENTIALS');
    expect((await auth.request('POST', '/v1/auth/refresh', { body: { refreshToken: client.refreshToken } })).status).toBe(401);
    expect((await auth.request('GET', '/v1/auth/me', { token: client.token })).status).toBe(401);
    expect((await auth.request('POST', '/v1/auth/api-keys', { token: client.token, body: { name: 'late' } })).status).toBe(401);
    expect(await auth.sql(`SELECT count(*)::int AS active FROM auth.api_keys WHERE user_id = $1 AND revoked_at IS NULL`, [client.userId])).toEqual([{ active: 0 }]);
    const [row] = await auth.sql<{ email: string; name: string | null }>(`SELECT email, name FROM auth.credentials WHERE id = $1`, [client.userId]);
    expect(row.email).not.toContain(client.email.split('@')[0]);
    expect(row.name).toBeNull();
    const events = (await outboxOf(client.userId)).map((e) => e.event_type);
    expect(events.filter((t) => t === 'auth.api_key.revoked.v1')).toHaveLength(2);
    expect(events.filter((t) => t === 'auth.user.disabled.v1')).toHaveLength(1);
    // someone else is untouched
    expect((await auth.request('GET', '/v1/auth/me', { token: other.token })).status).toBe(200);
    expect((await auth.request('POST', '/v1/auth/refresh', { body: { refreshToken: other.refreshToken } })).status).toBe(200);
  });

  it('applies the same event delivered twice, or a second deletion event, once', async () => {
    const client = await newClientWithKeys();
    const event = deletion(client.userId);

    await auth.publish(event);
    await auth.publish(event);
    const again = deletion(client.userId);
    await auth.publish(again);
    await handled(event.id);
    await handled(again.id);

    const events = (await outboxOf(client.userId)).map((e) => e.event_type);
    expect(events.filter((t) => t === 'auth.api_key.revoked.v1')).toHaveLength(2);
    expect(events.filter((t) => t === 'auth.user.disabled.v1')).toHaveLength(1);
  });

  it('lets the email register again as a new account', async () => {
    const client = await newClientWithKeys();
    const event = deletion(client.userId);
    await auth.publish(event);
    await handled(event.id);

    const again = await auth.request('POST', '/v1/auth/register', { body: { email: client.email, password: PASSWORD } });

    expect(again.status).toBe(201);
    expect(again.body['id']).not.toBe(client.userId);
  });

  it('ignores the deletion of a user auth does not know', async () => {
    const event = deletion(randomUUID());

    await auth.publish(event);
    await handled(event.id);

    expect(await outboxOf(event.data.userId)).toEqual([]);
  });
});
