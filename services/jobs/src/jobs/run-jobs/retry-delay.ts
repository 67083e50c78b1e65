export interface RetryBackoff {
  /** Wait before the second run; each later retry waits twice as long as the one before. */
  baseDelayMs: number;
  /** No wait is longer than this, before jitter. */
  maxDelayMs: number;
}

/**
 * How long a job waits before it runs again after its `attempt`-th run failed transiently:
 * exponential (base, 2×base, 4×base, … up to the maximum) with ±20 % jitter, so jobs that failed
 * together (a vendor outage) do not all come back at the same moment.
 */
export function retryDelayMs(attempt: number, { baseDelayMs, maxDelayMs }: RetryBackoff, random = Math.random): number {
  const exponential = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential * (0.8 + 0.4 * random()));
}
