import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { abortableDelay } from '../processors/abortable-delay';
import type { VendorConfig } from './vendor-config';

export type SlotAttempt = { granted: true; slotId: string } | { granted: false; retryInMs: number };

/**
 * Requests may reach the vendor a little later than their slot was taken (the commit, the
 * event loop, the network), and not all by the same delay. Counting over a window this much
 * wider than the vendor's keeps two requests whose slots were exactly one interval apart from
 * landing inside one of the vendor's windows.
 */
export function slackFor(intervalMs: number): number {
  return Math.min(Math.ceil(intervalMs * 0.25), 500);
}

/**
 * A vendor's rate limit, shared by every instance of the service through Postgres: a sliding
 * log of the requests let through (`vendor_requests`). Taking a slot locks the vendor's row in
 * `vendor_rate_limits`, so takers of one vendor go one at a time across all instances, then
 * counts the requests inside the window and records a new one if there is room. Times come
 * from the database's clock, the one clock all instances share.
 */
@Injectable()
export class VendorRateLimiter {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Waits (abortably) until the vendor has room for one more request, and takes that slot; the
   * caller sends its request right away. The slot is stamped again once it is in hand: between
   * the insert and the moment the caller gets it back lie the commit and the event loop, which
   * on a busy machine take tens of milliseconds, and the later stamp is the one closer to when
   * the vendor sees the request. Moving a slot later only ever makes the limit stricter.
   */
  async acquire(vendor: string, { rateLimit }: Pick<VendorConfig, 'rateLimit'>, signal: AbortSignal): Promise<void> {
    for (;;) {
      signal.throwIfAborted();
      const attempt = await this.tryAcquire(vendor, rateLimit);
      if (attempt.granted) {
        await this.dataSource.query(`UPDATE jobs.vendor_requests SET sent_at = clock_timestamp() WHERE id = $1`, [attempt.slotId]);
        return;
      }
      // A little spread, so that the waiters woken by one freed slot do not all queue on the lock.
      await abortableDelay(attempt.retryInMs + Math.floor(Math.random() * 20), signal);
    }
  }

  /** One try: the slot, or how long until the oldest request in the window leaves it. */
  async tryAcquire(vendor: string, { requests, intervalMs }: VendorConfig['rateLimit']): Promise<SlotAttempt> {
    const windowMs = intervalMs + slackFor(intervalMs);
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`INSERT INTO jobs.vendor_rate_limits (vendor) VALUES ($1) ON CONFLICT DO NOTHING`, [vendor]);
      await manager.query(`SELECT 1 FROM jobs.vendor_rate_limits WHERE vendor = $1 FOR UPDATE`, [vendor]);
      await manager.query(
        `DELETE FROM jobs.vendor_requests WHERE vendor = $1 AND sent_at <= clock_timestamp() - $2 * interval '1 millisecond'`,
        [vendor, windowMs],
      );
      // The request that must leave the window before another may enter: the `requests`-th newest.
      const [blocking] = await manager.query<{ frees_in_ms: number }[]>(
        `SELECT ceil(extract(epoch FROM sent_at + $2 * interval '1 millisecond' - clock_timestamp()) * 1000)::int AS frees_in_ms
           FROM jobs.vendor_requests
          WHERE vendor = $1
          ORDER BY sent_at DESC
          OFFSET $3 - 1 LIMIT 1`,
        [vendor, windowMs, requests],
      );
      if (blocking) return { granted: false, retryInMs: Math.max(1, blocking.frees_in_ms) };
      const slotId = randomUUID();
      await manager.query(`INSERT INTO jobs.vendor_requests (id, vendor, sent_at) VALUES ($1, $2, clock_timestamp())`, [slotId, vendor]);
      return { granted: true, slotId };
    });
  }
}
