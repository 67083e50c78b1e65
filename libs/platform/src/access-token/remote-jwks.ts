import { Logger } from '@nestjs/common';
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { AccessTokenKeys } from './access-token-keys';

export interface RemoteJwksOptions {
  url: string;
  /** How long a fetched set is used before it is fetched again on the next lookup. */
  cacheSeconds: number;
  /** Least time between fetches caused by an unknown `kid`. */
  refetchIntervalMs: number;
  now?: () => number;
}

interface FetchedSet {
  keys: Map<string, string>;
  fetchedAt: number;
}

/**
 * auth's public keys, fetched from its JWKS endpoint and cached. A token with a `kid` the cache
 * does not know triggers one refetch (a key that was just rotated in), but at most once per
 * `refetchIntervalMs`, so a flood of forged `kid`s costs auth nothing. A failed fetch keeps the
 * last good set: an auth outage does not log everyone out.
 */
export class RemoteJwks extends AccessTokenKeys {
  private readonly logger = new Logger(RemoteJwks.name);
  private set: FetchedSet | undefined;
  private lastAttempt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<void> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: RemoteJwksOptions) {
    super();
    this.now = options.now ?? Date.now;
  }

  /**
   * A known `kid` is answered from the cache at once; a stale cache is refreshed in the
   * background meanwhile. An unknown `kid` (or no set yet) waits for a fetch, unless one was
   * tried within `refetchIntervalMs`.
   */
  async find(kid: string): Promise<string | undefined> {
    const known = this.set?.keys.get(kid);
    if (known) {
      if (this.now() - (this.set?.fetchedAt ?? 0) >= this.options.cacheSeconds * 1000) void this.refresh();
      return known;
    }
    await this.refresh();
    return this.set?.keys.get(kid);
  }

  private refresh(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    if (this.now() - this.lastAttempt < this.options.refetchIntervalMs) return Promise.resolve();
    this.inFlight = this.fetchSet().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async fetchSet(): Promise<void> {
    this.lastAttempt = this.now();
    try {
      const response = await fetch(this.options.url, { signal: AbortSignal.timeout(5_000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      this.set = { keys: parseJwks(await response.json()), fetchedAt: this.now() };
    } catch (error) {
      this.logger.warn(`could not fetch the JWKS from ${this.options.url}: ${(error as Error).message}`);
    }
  }
}

/** The usable keys of a JWKS document: EC P-256 signing keys with a `kid`; anything else is skipped. */
export function parseJwks(document: unknown): Map<string, string> {
  const keys = new Map<string, string>();
  const list = (document as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(list)) throw new Error('not a JWKS document');
  for (const jwk of list as (JsonWebKey & { kid?: unknown; use?: unknown })[]) {
    if (typeof jwk.kid !== 'string' || jwk.kty !== 'EC' || jwk.crv !== 'P-256') continue;
    if ((jwk.use && jwk.use !== 'sig') || (jwk.alg && jwk.alg !== 'ES256')) continue;
    try {
      const { x, y, kty, crv } = jwk;
      keys.set(jwk.kid, createPublicKey({ key: { kty, crv, x, y }, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString());
    } catch {
      // a malformed key is skipped; the others stay usable
    }
  }
  return keys;
}
