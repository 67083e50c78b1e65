import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';

export interface RateLimitPolicy {
  /** Named in the `RateLimit-Policy` and `RateLimit` headers. */
  name: string;
  /** Requests allowed per window. */
  limit: number;
  windowSeconds: number;
}

export interface RateLimitState {
  /** Hits so far in the current window, this one included. */
  hits: number;
  remaining: number;
  /** Seconds until the window ends. */
  resetSeconds: number;
  exceeded: boolean;
}

/** One call in this many also deletes windows long past. */
const PRUNE_EVERY = 500;

/**
 * Fixed-window counting in Postgres: `INSERT … ON CONFLICT DO UPDATE` bumps the key's count for
 * the current window atomically, whichever instance serves the request. If the database cannot
 * answer, the request is let through (the limiter guards capacity; it must not take the service
 * down with it).
 */
export class PostgresRateLimiter {
  private readonly logger = new Logger(PostgresRateLimiter.name);
  private calls = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly schema: string,
  ) {}

  async hit(key: string, policy: RateLimitPolicy): Promise<RateLimitState | undefined> {
    try {
      const [row] = await this.dataSource.query<{ hits: number; reset: number }[]>(
        `INSERT INTO "${this.schema}"."rate_limits" AS r (key, window_start, hits)
         VALUES ($1, to_timestamp(floor(extract(epoch FROM now()) / $2) * $2), 1)
         ON CONFLICT (key, window_start) DO UPDATE SET hits = r.hits + 1
         RETURNING hits, ceil(extract(epoch FROM window_start + make_interval(secs => $2) - now()))::int AS reset`,
        [key, policy.windowSeconds],
      );
      if ((this.calls = (this.calls + 1) % PRUNE_EVERY) === 0) void this.prune(policy.windowSeconds);
      const hits = row?.hits ?? 1;
      return {
        hits,
        remaining: Math.max(0, policy.limit - hits),
        resetSeconds: Math.max(1, row?.reset ?? policy.windowSeconds),
        exceeded: hits > policy.limit,
      };
    } catch (error) {
      this.logger.warn(`rate limit not checked: ${(error as Error).message}`);
      return undefined;
    }
  }

  private async prune(windowSeconds: number): Promise<void> {
    await this.dataSource
      .query(`DELETE FROM "${this.schema}"."rate_limits" WHERE window_start < now() - make_interval(secs => $1)`, [2 * windowSeconds])
      .catch(() => undefined);
  }
}

/** The IETF draft's fields: the policy (`q` quota, `w` window) and the state (`r` remaining, `t` seconds to reset). */
export function rateLimitHeaders(policy: RateLimitPolicy, state: RateLimitState): Record<string, string> {
  return {
    'RateLimit-Policy': `"${policy.name}";q=${policy.limit};w=${policy.windowSeconds}`,
    RateLimit: `"${policy.name}";r=${state.remaining};t=${state.resetSeconds}`,
  };
}
