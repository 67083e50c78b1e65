import { ApiKeyCache, type KeyPrincipal } from './api-key-cache';

// A maximum age longer than the usage interval, so a spec can watch several intervals go by.
const LIMITS = { maxEntries: 3, maxAgeMs: 300_000, usageIntervalMs: 60_000 };
const principal = (keyId: string): KeyPrincipal => ({ userId: `user-${keyId}`, keyId, scopes: ['jobs:read'] });

describe('the API-key cache', () => {
  let now: number;
  let cache: ApiKeyCache;

  beforeEach(() => {
    now = 1_000;
    cache = new ApiKeyCache(LIMITS, () => now);
    cache.enable();
  });

  /** Caches `keyId` under the hash `h-<keyId>`, its use due in `usageDueInMs`. */
  const fill = (keyId: string, usageDueInMs = LIMITS.usageIntervalMs) => {
    const ticket = cache.ticket();
    if (ticket === undefined) throw new Error('the cache is off');
    cache.fill(ticket, `h-${keyId}`, principal(keyId), usageDueInMs);
  };
  const cached = (keyId: string) => cache.get(`h-${keyId}`)?.principal;

  it('serves what a read found, as a frozen copy', () => {
    fill('a');

    const served = cached('a');

    expect(served).toEqual(principal('a'));
    expect(Object.isFrozen(served)).toBe(true);
    expect(Object.isFrozen(served?.scopes)).toBe(true);
  });

  it('is off, and refuses fills, until enabled and after it is disabled', () => {
    const off = new ApiKeyCache(LIMITS, () => now);
    expect(off.ticket()).toBeUndefined();

    fill('a');
    cache.disable();

    expect(cached('a')).toBeUndefined();
    expect(cache.ticket()).toBeUndefined();
  });

  it('starts empty when enabled again', () => {
    fill('a');

    cache.enable();

    expect(cached('a')).toBeUndefined();
  });

  it('drops a key when it is invalidated, and only that key', () => {
    fill('a');
    fill('b');

    cache.invalidate('h-a');

    expect(cached('a')).toBeUndefined();
    expect(cached('b')).toEqual(principal('b'));
  });

  it.each([
    ['a key was invalidated', (c: ApiKeyCache) => c.invalidate('h-other')],
    ['the listener reconnected', (c: ApiKeyCache) => c.enable()],
    ['the listener disconnected and reconnected', (c: ApiKeyCache) => (c.disable(), c.enable())],
  ])('does not cache what a read found when %s while it ran', (_, meanwhile) => {
    // given a read that started
    const ticket = cache.ticket() as number;

    // when something happens before it ends
    meanwhile(cache);
    cache.fill(ticket, 'h-a', principal('a'), 0);

    // then its answer is not kept, but the next read's is
    expect(cached('a')).toBeUndefined();
    fill('a');
    expect(cached('a')).toEqual(principal('a'));
  });

  it('reads a key again once its entry is as old as the maximum age', () => {
    fill('a');

    now += LIMITS.maxAgeMs - 1;
    expect(cached('a')).toEqual(principal('a'));
    now += 1;
    expect(cached('a')).toBeUndefined();
  });

  it('lets the key cached first go when full', () => {
    fill('a');
    fill('b');
    fill('c');
    fill('a'); // refilled: now the newest

    fill('d');

    expect([cached('a'), cached('b'), cached('c'), cached('d')].map((p) => p?.keyId)).toEqual(['a', undefined, 'c', 'd']);
  });

  it('asks one hit per usage interval to record the use, from when it was due', () => {
    // given a key whose use was recorded 45 s ago
    fill('a', 15_000);
    const recordUse = () => cache.get('h-a')?.recordUse;

    // then hits record nothing until the minute is over, then one hit does
    expect(recordUse()).toBe(false);
    now += 14_999;
    expect(recordUse()).toBe(false);
    now += 1;
    expect(recordUse()).toBe(true);
    expect(recordUse()).toBe(false);
    now += LIMITS.usageIntervalMs - 1;
    expect(recordUse()).toBe(false);
    now += 1;
    expect(recordUse()).toBe(true);
  });

  it('has a hit record the use of a key whose use was due when it was cached but not recorded', () => {
    fill('a', 0);

    expect(cache.get('h-a')?.recordUse).toBe(true);
    expect(cache.get('h-a')?.recordUse).toBe(false);
  });
});
