import { retryDelayMs } from './retry-delay';

describe('the retry delay after a transient failure', () => {
  const backoff = { baseDelayMs: 1_000, maxDelayMs: 10_000 };
  const middle = () => 0.5;

  it('doubles with every attempt, up to the maximum', () => {
    expect([1, 2, 3, 4, 5, 6].map((attempt) => retryDelayMs(attempt, backoff, middle))).toEqual([
      1_000, 2_000, 4_000, 8_000, 10_000, 10_000,
    ]);
  });

  it('spreads each delay over ±20 %', () => {
    expect(retryDelayMs(2, backoff, () => 0)).toBe(1_600);
    expect(retryDelayMs(2, backoff, () => 0.999999)).toBe(2_400);
  });
});
