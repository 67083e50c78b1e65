import { retryDelayMs } from './retry-delay';

describe('the retry delay of a failed payment call', () => {
  it('doubles with each attempt', () => {
    const delays = [1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, 100, 60_000, () => 1));

    expect(delays).toEqual([100, 200, 400, 800]);
  });

  it('never exceeds the cap', () => {
    expect(retryDelayMs(30, 100, 5_000, () => 1)).toBe(5_000);
  });

  it('keeps at least half of the exponential delay, whatever the jitter', () => {
    expect(retryDelayMs(3, 100, 60_000, () => 0)).toBe(200);
    expect(retryDelayMs(3, 100, 60_000, () => 0.5)).toBe(300);
  });
});
