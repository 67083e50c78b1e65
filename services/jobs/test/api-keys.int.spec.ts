import {
  generateSigningKey,
  signAccessToken,
  STACK_TRACE,
  startServiceUnderTest,
  type ServiceUnderTest,
  type SigningKey,
} from '@conveyor/service-testing';
import { startInMemoryTracing, waitFor, type InMemoryTracing } from '@conveyor/testing';
import { Attr } from '@conveyor/tracing';
import { randomUUID } from 'node:crypto';
import type { JobsConfig } from '../src/jobs.config';
import { jobsService } from '../src/jobs.definition';
import { apiKeyCreated as created, apiKeyRevoked as revoked, newKey, sha256 } from './api-key.fixtures';

/** An access token for `userId`, signed as the auth service signs them. */
const tokenFor = (userId: string, { key, expiresIn }: { key?: SigningKey; expiresIn?: number } = {}) =>
  signAccessToken({ userId, key, expiresIn });

interface ApiKeyRow {
  user_id: string;
  key_hash: string | null;
  scopes: string[];
  revoked_at: Date | null;
  last_used_at: Date | null;
}

describe('API keys in the jobs service (real Postgres and RabbitMQ)', () => {
  let tracing: InMemoryTracing;
  let jobs: ServiceUnderTest<JobsConfig>;

  beforeAll(async () => {
    // The consumer's spans say when a delivery has been handled (applied or skipped).
    tracing = startInMemoryTracing();
    jobs = await startServiceUnderTest(jobsService, { WORKER_POLL_INTERVAL_MS: '60000' });
  });

  afterAll(async () => {
    await jobs?.close();
    await tracing?.shutdown();
  });

  const handled = (eventId: string) =>
    waitFor(
      () =>
        tracing
          .spans()
          .some((span) => span.attributes[Attr.messagingMessageId] === eventId && span.attributes[Attr.inboxOutcome]),
      { description: `event ${eventId} to be handled` },
    );

  const keyRow = async (keyId: string) =>
    (await jobs.sql<ApiKeyRow>('SELECT user_id, key_hash, scopes, revoked_at, last_used_at FROM jobs.api_keys WHERE key_id = $1', [keyId]))[0];

  /** A key of a new user, created through auth's event and usable once this resolves. */
  const activeKey = async (scopes?: string[]) => {
    const userId = randomUUID();
    const keyId = randomUUID();
    const key = newKey();
    const event = created(keyId, userId, key, scopes);
    await jobs.publish(event);
    await handled(event.id);
    return { userId, keyId, key };
  };

  const listJobs = (token: string) => jobs.request('GET', '/v1/jobs', { token });

  const usedEvents = (keyId: string) =>
    jobs.sql<{ envelope: { data: { keyId: string; userId: string; usedAt: string } } }>(
      `SELECT envelope FROM jobs.outbox WHERE event_type = 'jobs.api_key.used.v1' AND envelope->>'subject' = $1 ORDER BY seq`,
      [keyId],
    );

  it('authenticates a key once its created event has arrived, as its owner', async () => {
    // given
    const { userId, keyId, key } = await activeKey();

    // when
    const reply = await listJobs(key);

    // then
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ items: [], nextCursor: null });
    expect(await keyRow(keyId)).toMatchObject({ user_id: userId, key_hash: sha256(key), revoked_at: null });
  });

  it('keeps the first projection of a key when another created event for it arrives', async () => {
    // given a key projected with read and write scopes
    const { userId, keyId, key } = await activeKey();

    // when auth's event for the same key arrives again, under another event id and changed
    const again = created(keyId, userId, key, ['jobs:read']);
    await jobs.publish(again);
    await handled(again.id);

    // then nothing changed
    const rows = await jobs.sql('SELECT scopes FROM jobs.api_keys WHERE key_id = $1', [keyId]);
    expect(rows).toEqual([{ scopes: ['jobs:read', 'jobs:write'] }]);
  });

  it('keeps a key revoked when its revoke overtakes its create', async () => {
    // given a revoke that arrives first
    const userId = randomUUID();
    const keyId = randomUUID();
    const key = newKey();
    const revoke = revoked(keyId, userId);
    await jobs.publish(revoke);
    await handled(revoke.id);
    expect(await keyRow(keyId)).toMatchObject({ key_hash: null, revoked_at: expect.any(Date) });

    // when the create arrives late
    const create = created(keyId, userId, key);
    await jobs.publish(create);
    await handled(create.id);

    // then the key is known but stays revoked
    expect(await keyRow(keyId)).toMatchObject({ key_hash: sha256(key), revoked_at: expect.any(Date) });
    const reply = await listJobs(key);
    expect(reply.status).toBe(401);
    expect(reply.body).toMatchObject({ code: 'AUTH.UNAUTHENTICATED' });
  });

  it('refuses a revoked key within one second of the revoke being published', async () => {
    // given a working key
    const { userId, keyId, key } = await activeKey();
    expect((await listJobs(key)).status).toBe(200);

    // when auth publishes its revocation
    const publishedAt = Date.now();
    await jobs.publish(revoked(keyId, userId));

    // then the first refusal comes within a second of the publish
    const refusal = await waitFor(
      async () => {
        const reply = await listJobs(key);
        return reply.status === 401 && { reply, at: Date.now() };
      },
      { description: 'the revoked key to be refused', timeoutMs: 5_000, intervalMs: 10 },
    );
    expect(refusal.at - publishedAt).toBeLessThan(1_000);
    expect(refusal.reply.contentType).toMatch(/^application\/problem\+json/);
    expect(refusal.reply.body).toMatchObject({ status: 401, code: 'AUTH.UNAUTHENTICATED' });
  });

  it.each([
    ['no Authorization header', undefined],
    ['a key that is too short', 'Bearer ck_live_abc'],
    ['a key with characters outside base62', `Bearer ck_live_${'a'.repeat(40)}-_!`],
    ['a bare prefix', 'Bearer ck_'],
    ['a well-formed key that was never created', `Bearer ${newKey()}`],
    ['a key followed by more words', `Bearer ${newKey()} extra`],
    ['a key in another scheme', `Basic ${newKey()}`],
    ['a very long credential', `Bearer ck_live_${'x'.repeat(8_000)}`],
    ['a malformed access token', 'Bearer not.a.token'],
    ['an empty bearer', 'Bearer '],
  ])('answers 401 problem details, never 500, for %s', async (_, authorization) => {
    const reply = await jobs.request('GET', '/v1/jobs', { headers: authorization === undefined ? {} : { authorization } });

    expect(reply.status).toBe(401);
    expect(reply.contentType).toMatch(/^application\/problem\+json/);
    expect(reply.body).toMatchObject({ status: 401, code: 'AUTH.UNAUTHENTICATED' });
    expect(reply.text).not.toMatch(STACK_TRACE);
  });

  it('refuses access tokens that are expired or signed with a key auth does not publish', async () => {
    const userId = randomUUID();
    for (const token of [
      await tokenFor(userId, { expiresIn: -10 }),
      await tokenFor(userId, { key: generateSigningKey() }),
    ]) {
      const reply = await listJobs(token);
      expect(reply.status).toBe(401);
      expect(reply.body).toMatchObject({ code: 'AUTH.UNAUTHENTICATED' });
    }
  });

  it('accepts an access token with every scope', async () => {
    const token = await tokenFor(randomUUID());

    expect((await listJobs(token)).status).toBe(200);
    const submitted = await jobs.request('POST', '/v1/jobs', { token, body: { type: 'echo', input: {} } });
    expect(submitted.status).toBe(202);
  });

  it('lets a read-only key read but not submit or cancel, and a write-only key not read (403)', async () => {
    // given
    const reader = await activeKey(['jobs:read']);
    const writer = await activeKey(['jobs:write']);

    // when
    const readerLists = await listJobs(reader.key);
    const readerSubmits = await jobs.request('POST', '/v1/jobs', { token: reader.key, body: { type: 'echo', input: {} } });
    const readerCancels = await jobs.request('POST', `/v1/jobs/${randomUUID()}/cancel`, { token: reader.key });
    const writerSubmits = await jobs.request('POST', '/v1/jobs', { token: writer.key, body: { type: 'echo', input: {} } });
    const writerLists = await listJobs(writer.key);

    // then
    expect(readerLists.status).toBe(200);
    expect(writerSubmits.status).toBe(202);
    for (const refused of [readerSubmits, readerCancels, writerLists]) {
      expect(refused.status).toBe(403);
      expect(refused.contentType).toMatch(/^application\/problem\+json/);
      expect(refused.body).toMatchObject({ code: 'AUTH.FORBIDDEN_SCOPE' });
    }
    expect(readerSubmits.body).toMatchObject({ requiredScope: 'jobs:write' });
    expect(writerLists.body).toMatchObject({ requiredScope: 'jobs:read' });
  });

  it('records the last use of a key at most once a minute, with one jobs.api_key.used.v1 event each time', async () => {
    // given a key that was never used
    const { userId, keyId, key } = await activeKey();
    expect((await keyRow(keyId)).last_used_at).toBeNull();

    // when it is used twice within a minute
    expect((await listJobs(key)).status).toBe(200);
    const firstUse = (await keyRow(keyId)).last_used_at;
    expect((await listJobs(key)).status).toBe(200);

    // then one write and one event
    expect(firstUse).toBeInstanceOf(Date);
    expect((await keyRow(keyId)).last_used_at).toEqual(firstUse);
    const events = await usedEvents(keyId);
    expect(events).toHaveLength(1);
    expect(events[0].envelope.data).toEqual({ keyId, userId, usedAt: firstUse?.toISOString() });
  });

  it('records one use when ten requests arrive at once with a key last used more than a minute ago', async () => {
    // given a key whose last use is more than a minute old, and that this instance has not cached
    // (the cache keeps its own minute per key; see api-key-cache.unit.spec.ts)
    const { keyId, key } = await activeKey();
    await jobs.sql(`UPDATE jobs.api_keys SET last_used_at = now() - interval '2 minutes' WHERE key_id = $1`, [keyId]);
    const backdated = (await keyRow(keyId)).last_used_at;

    // when ten requests arrive at once: each reads the key, or finds it cached by one that did
    const replies = await Promise.all(Array.from({ length: 10 }, () => listJobs(key)));

    // then exactly one of them records the use: the guarded UPDATE, as between instances
    expect(replies.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(await usedEvents(keyId)).toHaveLength(1);
    expect(Number((await keyRow(keyId)).last_used_at)).toBeGreaterThan(Number(backdated));
  });

  it('records no use for a refused key', async () => {
    const { userId, keyId, key } = await activeKey(['jobs:read']);
    const revoke = revoked(keyId, userId);
    await jobs.publish(revoke);
    await handled(revoke.id);

    expect((await listJobs(key)).status).toBe(401);
    expect(await usedEvents(keyId)).toHaveLength(0);
  });
});
