import type { ClientPrincipal } from './client-principal';

/** Who an API key authenticates as; unlike an access token's principal, it always names its key. */
export type KeyPrincipal = ClientPrincipal & { keyId: string };

export interface ApiKeyCacheLimits {
  /** Entries kept at most; when full, the one cached first goes. */
  maxEntries: number;
  /** An entry older than this is read from the database again, a safety net for lost notifications. */
  maxAgeMs: number;
  /** How often a hit should record the key's use, per key and instance. */
  usageIntervalMs: number;
}

interface Entry {
  principal: KeyPrincipal;
  cachedAt: number;
  /** When a hit should next record the key's use. */
  usageDueAt: number;
}

/**
 * Found, unrevoked API keys by the SHA-256 of the key, kept for a jobs instance. The cache is
 * only as good as the notifications that invalidate it, so it is off (empty, and refusing
 * fills) until `enable` says its listener is connected, and from `disable` on.
 *
 * A database read races with invalidations: a revoke may commit, and its notification arrive,
 * while a read that still saw the key is in flight. So a read takes a ticket first and its
 * answer is only cached if nothing at all was invalidated meanwhile (changes to keys are rare,
 * so refusing fills after any of them costs nothing worth a finer scheme).
 */
export class ApiKeyCache {
  private readonly entries = new Map<string, Entry>();
  private on = false;
  /** Moves on with every invalidation; a ticket is the generation its read started in. */
  private generation = 0;

  constructor(
    private readonly limits: ApiKeyCacheLimits,
    // Monotonic, so a wall-clock step cannot stretch an entry's age.
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The listener is connected: start afresh, since changes may have gone unannounced before. */
  enable(): void {
    this.on = true;
    this.clear();
  }

  /** The listener is gone: changes are no longer announced, so nothing cached can be trusted. */
  disable(): void {
    this.on = false;
    this.clear();
  }

  /** The key with this hash changed. */
  invalidate(hash: string): void {
    this.generation += 1;
    this.entries.delete(hash);
  }

  /**
   * The cached principal for a key hash, or undefined. `recordUse` is true for one hit per
   * usage interval: the hit that gets it is the one that should record the key's use.
   */
  get(hash: string): { principal: KeyPrincipal; recordUse: boolean } | undefined {
    const entry = this.entries.get(hash);
    if (!entry) return undefined;
    const now = this.now();
    if (now - entry.cachedAt >= this.limits.maxAgeMs) {
      this.entries.delete(hash);
      return undefined;
    }
    const recordUse = now >= entry.usageDueAt;
    if (recordUse) entry.usageDueAt = now + this.limits.usageIntervalMs;
    return { principal: entry.principal, recordUse };
  }

  /** Taken before a database read whose answer may be cached; undefined while the cache is off. */
  ticket(): number | undefined {
    return this.on ? this.generation : undefined;
  }

  /**
   * Caches what a read found, unless something was invalidated since its ticket was taken.
   * The principal is frozen, as every request with the key now shares it.
   */
  fill(ticket: number, hash: string, principal: KeyPrincipal, usageDueInMs: number): void {
    if (!this.on || ticket !== this.generation) return;
    const now = this.now();
    const shared = Object.freeze({ ...principal, scopes: Object.freeze([...principal.scopes]) });
    // Deleted first so that a refilled key counts as the newest.
    this.entries.delete(hash);
    this.entries.set(hash, { principal: shared, cachedAt: now, usageDueAt: now + usageDueInMs });
    if (this.entries.size > this.limits.maxEntries) {
      const [oldest] = this.entries.keys();
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  private clear(): void {
    this.generation += 1;
    this.entries.clear();
  }
}
