const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * Parses a schedule like `0,5s,5m,30m,2h`: the delay before each attempt, counted from the
 * end of the previous one (the first from when the message was created). A bare number is
 * in ms. Answers undefined for anything else.
 */
export function parseRetrySchedule(text: string): number[] | undefined {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length < 1 || parts.length > 50) return undefined;
  const delays: number[] = [];
  for (const part of parts) {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(part);
    if (!match) return undefined;
    delays.push(Math.round(Number(match[1]) * UNIT_MS[match[2] ?? 'ms']));
  }
  return delays;
}

/** A delay moved at random by up to `jitter` (a fraction) either way; `random` is injectable for tests. */
export function withJitter(delayMs: number, jitter: number, random: () => number = Math.random): number {
  return Math.max(0, Math.round(delayMs * (1 + jitter * (2 * random() - 1))));
}
