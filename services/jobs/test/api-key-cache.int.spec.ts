import { startServiceUnderTest, type ServiceUnderTest } from '@conveyor/service-testing';
import { scrapeMetrics, waitFor } from '@conveyor/testing';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { JobsConfig } from '../src/jobs.config';
import { jobsService } from '../src/jobs.definition';
import { apiKeyCreated, apiKeyRevoked, newKey, sha256 } from './api-key.fixtures';

const CHANNEL = 'jobs_api_keys_changed';
/**
 * How soon a change to a cached key must show: the time a NOTIFY takes to arrive, with room
 * for a busy machine, and far below the cache's 60 s maximum age.
 */
const NOTIFY_LATENCY_MS = 1_000;

type CacheOutcome = 'hit' | 'miss' | 'off';

// The listener reconnects a second after its session ends; a busy machine needs more than 5 s.
jest.setTimeout(20_000);

describe('the API-key cache of the jobs service (real Postgres and RabbitMQ)', () => {
  let jobs: ServiceUnderTest<JobsConfig>;

  beforeAll(async () => {
    jobs = await startServiceUnderTest(jobsService, { WORKER_POLL_INTERVAL_MS: '60000' });
  });

  afterAll(() => jobs?.close());

  /** Waits until the event's handler has committed (its inbox row is written in the same transaction). */
  const handled = (eventId: string) =>
    waitFor(async () => (await jobs.sql('SELECT 1 FROM jobs.inbox WHERE event_id = $1', [eventId])).length === 1, {
      description: `event ${eventId} to be handled`,
    });

  const activeKey = async () => {
    const userId = randomUUID();
    const keyId = randomUUID();
    const key = newKey();
    const event = apiKeyCreated(keyId, userId, key);
    await jobs.publish(event);
    await handled(event.id);
    return { userId, keyId, key };
  };

  const listJobs = (key: string) => jobs.request('GET', '/v1/jobs', { token: key });

  const lookups = async (cache: CacheOutcome) =>
    (await scrapeMetrics(jobs.url)).value('conveyor_api_key_lookups_total', { cache });

  /** Makes requests with the key until one is answered from the cache (the first ones fill it). */
  const servedFromCache = (key: string) =>
    waitFor(
      async () => {
        const before = await lookups('hit');
        expect((await listJobs(key)).status).toBe(200);
        return (await lookups('hit')) === before + 1;
      },
      { description: 'the key to be served from the cache' },
    );

  const refusedPromptly = (key: string) =>
    waitFor(async () => (await listJobs(key)).status === 401, {
      description: 'the cached key to be refused',
      timeoutMs: NOTIFY_LATENCY_MS,
      intervalMs: 5,
    });

  it('refuses a cached key as soon as its revoke event has been handled', async () => {
    // given a key served from the cache
    const { userId, keyId, key } = await activeKey();
    await servedFromCache(key);

    // when auth's revoke has been applied to the projection
    const revoke = apiKeyRevoked(keyId, userId);
    await jobs.publish(revoke);
    await handled(revoke.id);

    // then the key is refused
    await refusedPromptly(key);
  });

  it('drops a cached key when its row is revoked by anyone, as another instance would', async () => {
    // given a key served from the cache
    const { keyId, key } = await activeKey();
    await servedFromCache(key);

    // when another instance's consumer revokes it (here: straight in SQL, past this instance)
    await jobs.sql('UPDATE jobs.api_keys SET revoked_at = now() WHERE key_id = $1', [keyId]);

    // then this instance refuses it
    await refusedPromptly(key);
  });

  it('reads every key from the database while its listener is disconnected, and caches again once it is back', async () => {
    // given two keys, one of them served from the cache
    const { keyId, key } = await activeKey();
    const other = await activeKey();
    await servedFromCache(key);

    // when the listener's session ends, and this instance has noticed (lookups are "off")
    await jobs.sql(
      `SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity
        WHERE application_name = 'jobs-api-keys-listener' AND datname = current_database()`,
    );
    await waitFor(
      async () => {
        const before = await lookups('off');
        await listJobs(other.key);
        return (await lookups('off')) === before + 1;
      },
      { description: 'the cache to be off' },
    );
    // and the key is revoked meanwhile, a change no instance hears of
    await jobs.sql('UPDATE jobs.api_keys SET revoked_at = now() WHERE key_id = $1', [keyId]);

    // then the key is read from the database, and refused
    const offBefore = await lookups('off');
    expect((await listJobs(key)).status).toBe(401);
    expect(await lookups('off')).toBe(offBefore + 1);

    // and once the listener has reconnected, keys are cached again, the revoked one not among them
    await servedFromCache(other.key);
    expect((await listJobs(key)).status).toBe(401);
  });

  it('announces every change to what a key authenticates as, and neither its creation nor its recorded uses', async () => {
    // given a session listening on the channel, as each instance's listener does
    const heard: (string | undefined)[] = [];
    const listener = new Client({ connectionString: jobs.database.adminUrl });
    await listener.connect();
    try {
      listener.on('notification', ({ channel, payload }) => channel === CHANNEL && heard.push(payload));
      await listener.query(`LISTEN ${CHANNEL}`);

      // when a key is created, used, changed, used again, revoked and deleted
      const { keyId, key } = await activeKey();
      const change = (set: string) => jobs.sql(`UPDATE jobs.api_keys SET ${set} WHERE key_id = $1`, [keyId]);
      await change('last_used_at = now()');
      await change(`scopes = '{jobs:read}'`);
      // Named in the SET list but unchanged, so nothing the answer depends on changed.
      await change('last_used_at = now(), scopes = scopes, user_id = user_id');
      await change('revoked_at = now()');
      await jobs.sql('DELETE FROM jobs.api_keys WHERE key_id = $1', [keyId]);
      // Notifications arrive in commit order: once this one is here, every earlier one is too.
      await jobs.sql('SELECT pg_notify($1, $2)', [CHANNEL, 'end']);

      // then the scope change, the revoke and the delete were announced, each with the key's hash
      await waitFor(() => heard.includes('end'), { description: 'the last notification' });
      const hash = sha256(key);
      expect(heard).toEqual([hash, hash, hash, 'end']);
    } finally {
      await listener.end();
    }
  });
});
