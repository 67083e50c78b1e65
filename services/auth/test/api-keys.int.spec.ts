import { ApiKeyUsedV1, createEvent } from '@conveyor/contracts';
import {
  STACK_TRACE,
  startServiceUnderTest,
  type Reply,
  type ServiceUnderTest,
} from '@conveyor/service-testing';
import { startInMemoryTracing, waitFor, type InMemoryTracing } from '@conveyor/testing';
import { createHash, randomUUID } from 'node:crypto';
import { authService } from '../src/auth.definition';
import type { AuthConfig } from '../src/auth.config';
import { signWithAuthKey } from './auth-keys';

const PASSWORD = 'correct horse battery staple';
const KEY = /^ck_live_[0-9A-Za-z]{43,}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

interface Client {
  userId: string;
  token: string;
}

interface CreatedKey {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  key: string;
}

interface ApiKeyRow {
  user_id: string;
  name: string;
  prefix: string;
  key_hash: string;
  scopes: string[];
  last_used_at: Date | null;
  revoked_at: Date | null;
}

describe('API keys (real Postgres and RabbitMQ)', () => {
  let tracing: InMemoryTracing;
  let auth: ServiceUnderTest<AuthConfig>;

  beforeAll(async () => {
    // The consumer's spans say how each delivery ended (applied or skipped by the inbox).
    tracing = startInMemoryTracing();
    auth = await startServiceUnderTest(authService);
  });

  afterAll(async () => {
    await auth?.close();
    await tracing?.shutdown();
  });

  /** A new account, registered and logged in through auth's own API. */
  const newClient = async (): Promise<Client> => {
    const email = `keys-${randomUUID()}@example.com`;
    const registered = await auth.request('POST', '/v1/auth/register', { body: { email, password: PASSWORD } });
    expect(registered.status).toBe(201);
    const login = await auth.request('POST', '/v1/auth/login', { body: { email, password: PASSWORD } });
    expect(login.status).toBe(200);
    return { userId: String(registered.body['id']), token: String(login.body['accessToken']) };
  };

  const create = (client: Client, body: unknown = { name: 'worker' }) =>
    auth.request('POST', '/v1/auth/api-keys', { token: client.token, body });

  const createKey = async (client: Client, body?: unknown): Promise<CreatedKey> => {
    const reply = await create(client, body);
    expect(reply.status).toBe(201);
    return reply.body as unknown as CreatedKey;
  };

  const list = (client: Client) => auth.request('GET', '/v1/auth/api-keys', { token: client.token });

  const revoke = (client: Client, id: string) =>
    auth.request('DELETE', `/v1/auth/api-keys/${encodeURIComponent(id)}`, { token: client.token });

  const keyRow = async (id: string) =>
    (await auth.sql<ApiKeyRow>('SELECT * FROM auth.api_keys WHERE id = $1', [id]))[0];

  const eventsAbout = (type: string, subject: string) =>
    auth.sql<{ envelope: Record<string, unknown> }>(
      `SELECT envelope FROM auth.outbox WHERE event_type = $1 AND envelope->>'subject' = $2`,
      [type, subject],
    );

  const totals = async () => {
    const [row] = await auth.sql<{ keys: number; outbox: number }>(
      'SELECT (SELECT count(*)::int FROM auth.api_keys) AS keys, (SELECT count(*)::int FROM auth.outbox) AS outbox',
    );
    return row;
  };

  const expectProblem = (reply: Reply, status: number, code: string) => {
    expect(reply.status).toBe(status);
    expect(reply.contentType).toMatch(/^application\/problem\+json/);
    expect(reply.body).toMatchObject({ status, code });
    expect(reply.text).not.toMatch(STACK_TRACE);
  };

  describe('POST /v1/auth/api-keys', () => {
    it('answers 201 with the key, shown in full, and its public fields', async () => {
      const client = await newClient();

      const reply = await create(client, { name: '  production worker  ' });

      expect(reply.status).toBe(201);
      expect(reply.body).toEqual({
        id: expect.stringMatching(UUID),
        name: 'production worker',
        prefix: expect.stringMatching(/^ck_live_[0-9A-Za-z]{4}$/),
        scopes: ['jobs:read', 'jobs:write'],
        createdAt: expect.any(String),
        key: expect.stringMatching(KEY),
      });
      const { key, prefix, createdAt } = reply.body as unknown as CreatedKey;
      expect(key.startsWith(prefix)).toBe(true);
      expect(new Date(createdAt).toISOString()).toBe(createdAt);
    });

    it('makes keys of at least 43 base62 characters after ck_live_, all different, using the whole alphabet', async () => {
      // given three accounts, since one may hold at most 20 active keys
      const clients = await Promise.all([newClient(), newClient(), newClient()]);

      // when
      const keys: string[] = [];
      for (let i = 0; i < 50; i += 1) keys.push((await createKey(clients[i % 3], { name: `key ${i}` })).key);

      // then every key has the format, and none repeats
      for (const key of keys) expect(key).toMatch(KEY);
      expect(new Set(keys).size).toBe(50);
      // 43 characters of base62 hold 256 bits; 50 keys give over 2,000 random characters, so
      // each of the 62 would be missing with a chance around 1e-15 if the generator is sound.
      const used = new Set(keys.flatMap((key) => [...key.slice('ck_live_'.length)]));
      expect(used.size).toBe(62);
    });

    it('stores the SHA-256 of the key and its prefix, and the key itself in no table of auth', async () => {
      const client = await newClient();

      const { id, key, prefix } = await createKey(client, { name: 'ci' });

      const row = await keyRow(id);
      expect(row).toMatchObject({ user_id: client.userId, name: 'ci', prefix, key_hash: sha256(key), revoked_at: null });
      expect(row.key_hash).toMatch(/^[0-9a-f]{64}$/);
      const tables = await auth.sql<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'auth' AND table_type = 'BASE TABLE'`,
      );
      expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['api_keys', 'outbox']));
      const secret = key.slice('ck_live_'.length);
      for (const { table_name } of tables) {
        const [{ n }] = await auth.sql<{ n: number }>(
          `SELECT count(*)::int AS n FROM auth."${table_name}" AS r WHERE strpos(r::text, $1) > 0`,
          [secret],
        );
        expect({ table: table_name, rowsWithTheKey: n }).toEqual({ table: table_name, rowsWithTheKey: 0 });
      }
    });

    it('commits one auth.api_key.created.v1 with the hash, prefix and scopes before answering', async () => {
      const client = await newClient();

      const created = await createKey(client, { name: 'reader', scopes: ['jobs:read'] });

      const events = await eventsAbout('auth.api_key.created.v1', created.id);
      expect(events).toHaveLength(1);
      expect(events[0].envelope).toMatchObject({
        specversion: '1.0',
        type: 'auth.api_key.created.v1',
        source: '/conveyor/auth',
        subject: created.id,
      });
      expect(events[0].envelope['data']).toEqual({
        keyId: created.id,
        userId: client.userId,
        name: 'reader',
        prefix: created.prefix,
        keyHash: sha256(created.key),
        scopes: ['jobs:read'],
        createdAt: created.createdAt,
      });
    });

    it('keeps scopes in one order whatever order they were sent in', async () => {
      const client = await newClient();

      const created = await createKey(client, { name: 'both', scopes: ['jobs:write', 'jobs:read'] });

      expect(created.scopes).toEqual(['jobs:read', 'jobs:write']);
    });

    describe('a body that does not fit the schema', () => {
      it.each<[string, unknown, string[]]>([
        ['the name is missing', { scopes: ['jobs:read'] }, ['name']],
        ['the name is blank', { name: '   ' }, ['name']],
        ['the name has 101 characters', { name: 'n'.repeat(101) }, ['name']],
        ['the name is not a string', { name: 42 }, ['name']],
        ['a scope is unknown', { name: 'k', scopes: ['jobs:read', 'admin'] }, ['scopes.1']],
        ['the scopes are empty', { name: 'k', scopes: [] }, ['scopes']],
        ['a scope repeats', { name: 'k', scopes: ['jobs:read', 'jobs:read'] }, ['scopes.1']],
        ['the scopes are not a list', { name: 'k', scopes: 'jobs:read' }, ['scopes']],
        ['it has a field the schema does not know', { name: 'k', keyHash: 'f'.repeat(64) }, ['keyHash']],
        ['the body is a JSON array', [{ name: 'k' }], ['(body)']],
      ])('answers 400 REQUEST.INVALID naming the field when %s, and writes nothing', async (_, body, fields) => {
        const client = await newClient();
        const before = await totals();

        const reply = await create(client, body);

        expectProblem(reply, 400, 'REQUEST.INVALID');
        expect((reply.body['errors'] as { field: string }[]).map((e) => e.field)).toEqual(fields);
        expect(await totals()).toEqual(before);
      });

      it('accepts a name of exactly 100 characters', async () => {
        const created = await createKey(await newClient(), { name: 'n'.repeat(100) });

        expect(created.name).toHaveLength(100);
      });
    });

    describe('the limit of 20 active keys per account', () => {
      it('answers 409 AUTH.API_KEY_LIMIT for the 21st key and writes nothing', async () => {
        // given
        const client = await newClient();
        for (let i = 0; i < 20; i += 1) await createKey(client, { name: `key ${i}` });
        const before = await totals();

        // when
        const reply = await create(client, { name: 'one too many' });

        // then
        expectProblem(reply, 409, 'AUTH.API_KEY_LIMIT');
        expect(await totals()).toEqual(before);
      });

      it('lets exactly the keys that fit through when requests race', async () => {
        // given 15 keys
        const client = await newClient();
        for (let i = 0; i < 15; i += 1) await createKey(client, { name: `key ${i}` });

        // when 10 more are asked for at once
        const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => create(client, { name: `race ${i}` })));

        // then 5 fit and 5 are refused
        expect(replies.map((r) => r.status).sort()).toEqual([...Array<number>(5).fill(201), ...Array<number>(5).fill(409)]);
        const [{ n }] = await auth.sql<{ n: number }>(
          'SELECT count(*)::int AS n FROM auth.api_keys WHERE user_id = $1 AND revoked_at IS NULL',
          [client.userId],
        );
        expect(n).toBe(20);
      });

      it('frees a place when a key is revoked', async () => {
        const client = await newClient();
        const keys: CreatedKey[] = [];
        for (let i = 0; i < 20; i += 1) keys.push(await createKey(client, { name: `key ${i}` }));
        expect((await create(client)).status).toBe(409);

        expect((await revoke(client, keys[0].id)).status).toBe(204);

        expect((await create(client)).status).toBe(201);
      });
    });

    it('answers 401 AUTH.ACCOUNT_NOT_FOUND for a valid token whose account does not exist, and writes nothing', async () => {
      const userId = randomUUID();
      const token = await signWithAuthKey(auth, { userId, email: 'gone@example.com', expiresIn: 60 });
      const before = await totals();

      const reply = await create({ userId, token });

      expectProblem(reply, 401, 'AUTH.ACCOUNT_NOT_FOUND');
      expect(await totals()).toEqual(before);
    });
  });

  describe('GET /v1/auth/api-keys', () => {
    it("lists the caller's active keys, newest first, without the key or its hash", async () => {
      // given three keys, one of them revoked, and another client's key
      const client = await newClient();
      const first = await createKey(client, { name: 'first' });
      const second = await createKey(client, { name: 'second', scopes: ['jobs:read'] });
      const third = await createKey(client, { name: 'third' });
      expect((await revoke(client, second.id)).status).toBe(204);
      await createKey(await newClient(), { name: 'someone else' });

      // when
      const reply = await list(client);

      // then
      expect(reply.status).toBe(200);
      expect(JSON.parse(reply.text)).toEqual([
        { id: third.id, name: 'third', prefix: third.prefix, scopes: third.scopes, createdAt: third.createdAt, lastUsedAt: null },
        { id: first.id, name: 'first', prefix: first.prefix, scopes: first.scopes, createdAt: first.createdAt, lastUsedAt: null },
      ]);
      for (const { key } of [first, third]) {
        expect(reply.text).not.toContain(key);
        expect(reply.text).not.toContain(sha256(key));
      }
      expect(reply.text).not.toMatch(/hash|"key"/i);
    });

    it('answers an empty list to a client without keys', async () => {
      const reply = await list(await newClient());

      expect(reply.status).toBe(200);
      expect(reply.text).toBe('[]');
    });
  });

  describe('DELETE /v1/auth/api-keys/:id', () => {
    it('answers 204, revokes the key and commits one auth.api_key.revoked.v1', async () => {
      const client = await newClient();
      const { id } = await createKey(client);

      const reply = await revoke(client, id);

      expect(reply.status).toBe(204);
      expect(reply.text).toBe('');
      const row = await keyRow(id);
      expect(row.revoked_at).toBeInstanceOf(Date);
      const events = await eventsAbout('auth.api_key.revoked.v1', id);
      expect(events).toHaveLength(1);
      expect(events[0].envelope).toMatchObject({
        type: 'auth.api_key.revoked.v1',
        source: '/conveyor/auth',
        subject: id,
        data: { keyId: id, userId: client.userId, revokedAt: row.revoked_at?.toISOString() },
      });
    });

    it('answers 204 again for a key that is already revoked, without a second event', async () => {
      const client = await newClient();
      const { id } = await createKey(client);
      expect((await revoke(client, id)).status).toBe(204);
      const revokedAt = (await keyRow(id)).revoked_at;

      const again = await revoke(client, id);

      expect(again.status).toBe(204);
      expect((await keyRow(id)).revoked_at).toEqual(revokedAt);
      expect(await eventsAbout('auth.api_key.revoked.v1', id)).toHaveLength(1);
    });

    it('emits one revoked event when ten revocations of one key race', async () => {
      const client = await newClient();
      const { id } = await createKey(client);

      const replies = await Promise.all(Array.from({ length: 10 }, () => revoke(client, id)));

      expect(replies.map((r) => r.status)).toEqual(Array<number>(10).fill(204));
      expect(await eventsAbout('auth.api_key.revoked.v1', id)).toHaveLength(1);
    });

    it("answers 404 AUTH.API_KEY_NOT_FOUND for another client's key and leaves it working", async () => {
      // given
      const owner = await newClient();
      const intruder = await newClient();
      const { id } = await createKey(owner);

      // when
      const reply = await revoke(intruder, id);

      // then
      expectProblem(reply, 404, 'AUTH.API_KEY_NOT_FOUND');
      expect((await keyRow(id)).revoked_at).toBeNull();
      expect(await eventsAbout('auth.api_key.revoked.v1', id)).toHaveLength(0);
      expect(JSON.parse((await list(intruder)).text)).toEqual([]);
      expect((JSON.parse((await list(owner)).text) as { id: string }[]).map((k) => k.id)).toEqual([id]);
    });

    it.each([
      ['an id no key has', () => randomUUID()],
      ['an id that is not a UUID', () => 'not-a-uuid'],
      ['a UUID followed by SQL', () => `${randomUUID()}' OR '1'='1`],
    ])('answers 404 AUTH.API_KEY_NOT_FOUND for %s and writes nothing', async (_, id) => {
      const client = await newClient();
      await createKey(client);
      const before = await totals();

      const reply = await revoke(client, id());

      expectProblem(reply, 404, 'AUTH.API_KEY_NOT_FOUND');
      expect(await totals()).toEqual(before);
    });
  });

  it.each([
    ['POST', '/v1/auth/api-keys'],
    ['GET', '/v1/auth/api-keys'],
    ['DELETE', `/v1/auth/api-keys/${randomUUID()}`],
  ])('answers 401 AUTH.UNAUTHENTICATED to %s %s without an access token', async (method, path) => {
    const reply = await auth.request(method, path, method === 'POST' ? { body: { name: 'k' } } : {});

    expectProblem(reply, 401, 'AUTH.UNAUTHENTICATED');
  });

  describe('on jobs.api_key.used.v1', () => {
    const used = (keyId: string, userId: string, usedAt: string) =>
      createEvent(ApiKeyUsedV1, { source: '/conveyor/jobs', subject: keyId, data: { keyId, userId, usedAt } });

    const lastUsedAt = async (id: string) => (await keyRow(id)).last_used_at?.toISOString() ?? null;

    const applied = (eventId: string) =>
      waitFor(async () => (await auth.sql('SELECT 1 FROM auth.inbox WHERE event_id = $1', [eventId])).length === 1, {
        description: `event ${eventId} to be applied`,
      });


    it('sets lastUsedAt, and an older report arriving later does not move it back', async () => {
      // given a key used at 10:05, reported first
      const client = await newClient();
      const { id } = await createKey(client);
      const newer = used(id, client.userId, '2030-01-01T10:05:00.000Z');
      await auth.publish(newer);
      await waitFor(async () => (await lastUsedAt(id)) === '2030-01-01T10:05:00.000Z', { description: 'lastUsedAt' });

      // when a use at 10:04 is reported after it
      const older = used(id, client.userId, '2030-01-01T10:04:00.000Z');
      await auth.publish(older);
      await applied(older.id);

      // then the later time stands, in the table and in the list
      expect(await lastUsedAt(id)).toBe('2030-01-01T10:05:00.000Z');
      expect(JSON.parse((await list(client)).text)).toEqual([
        expect.objectContaining({ id, lastUsedAt: '2030-01-01T10:05:00.000Z' }),
      ]);

      // and a use after it still moves it forward
      const newest = used(id, client.userId, '2030-01-01T10:06:00.000Z');
      await auth.publish(newest);
      await applied(newest.id);
      expect(await lastUsedAt(id)).toBe('2030-01-01T10:06:00.000Z');
    });

    it('applies a report delivered twice once', async () => {
      const client = await newClient();
      const { id } = await createKey(client);
      const event = used(id, client.userId, '2030-02-01T08:00:00.000Z');

      await auth.publish(event);
      await auth.publish(event);

      await waitFor(() => tracing.inboxOutcomes(event.id).length === 2, { description: 'both deliveries to be processed' });
      expect(tracing.inboxOutcomes(event.id).sort()).toEqual(['ALREADY_PROCESSED', 'APPLIED']);
      expect(await auth.sql('SELECT consumer FROM auth.inbox WHERE event_id = $1', [event.id])).toEqual([
        { consumer: 'auth' },
      ]);
      expect(await lastUsedAt(id)).toBe('2030-02-01T08:00:00.000Z');
    });

    it('still records the use of a key that was revoked meanwhile', async () => {
      const client = await newClient();
      const { id } = await createKey(client);
      expect((await revoke(client, id)).status).toBe(204);

      const event = used(id, client.userId, new Date().toISOString());
      await auth.publish(event);
      await applied(event.id);

      expect(await lastUsedAt(id)).toBe(event.data.usedAt);
    });

    it.each<[string, (key: CreatedKey, owner: Client) => { keyId: string; userId: string }]>([
      ['a key auth does not know', (_, owner) => ({ keyId: randomUUID(), userId: owner.userId })],
      ['a key of another owner', (key) => ({ keyId: key.id, userId: randomUUID() })],
    ])('ignores a report about %s without failing the message', async (_, about) => {
      const client = await newClient();
      const key = await createKey(client);
      const { keyId, userId } = about(key, client);

      const event = used(keyId, userId, new Date().toISOString());
      await auth.publish(event);

      // then the handler ran and committed (a failing one would be retried, then dead-lettered)
      await waitFor(() => tracing.inboxOutcomes(event.id).length === 1, { description: 'the report to be processed' });
      expect(tracing.inboxOutcomes(event.id)).toEqual(['APPLIED']);
      expect(await lastUsedAt(key.id)).toBeNull();
    });
  });
});
