/**
 * How long to wait before the next call for a payment whose `attempt`-th call failed:
 * exponential (base · 2^(attempt-1)), capped, with "equal jitter" (a random half of it added
 * to the other half) so that payments failing together do not retry in lockstep.
 */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
