/** How the client retries answers that say "not now": 429 and 503. */
export interface RetryOptions {
  /** Retries after the first attempt (3). 0 turns retrying off. */
  maxRetries?: number;
  /** First backoff when the answer has no `Retry-After` (250 ms), doubled each time, ±20 %. */
  baseDelayMs?: number;
  /** Longest wait, also for a `Retry-After` that asks for more (30 s): then the error is thrown instead. */
  maxDelayMs?: number;
}

export const RETRYABLE_STATUSES = [429, 503];

/**
 * The wait before retry number `retry` (0-based), or undefined when the client should give up.
 * A `Retry-After` (seconds or an HTTP date) is honoured as given; a wait longer than
 * `maxDelayMs` is not worth blocking the caller for, so the error goes back instead.
 */
export function retryDelayMs(
  retry: number,
  retryAfter: string | null,
  options: Required<RetryOptions>,
  now = Date.now(),
  random = Math.random,
): number | undefined {
  if (retry >= options.maxRetries) return undefined;
  const asked = parseRetryAfter(retryAfter, now);
  if (asked !== undefined) return asked <= options.maxDelayMs ? asked : undefined;
  const backoff = options.baseDelayMs * 2 ** retry;
  return Math.min(options.maxDelayMs, backoff * (0.8 + 0.4 * random()));
}

export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export const DEFAULT_RETRY: Required<RetryOptions> = { maxRetries: 3, baseDelayMs: 250, maxDelayMs: 30_000 };
