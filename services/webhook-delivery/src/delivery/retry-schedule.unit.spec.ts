import { parseRetrySchedule, withJitter } from './retry-schedule';

describe('retry schedule', () => {
  it('reads delays with units, a bare number being milliseconds', () => {
    expect(parseRetrySchedule('0, 5s,5m,30m,2h,250ms,1.5s,40')).toEqual([0, 5_000, 300_000, 1_800_000, 7_200_000, 250, 1_500, 40]);
  });

  it.each(['', '5x', '-1s', 's', '1,,2'])('refuses %j', (text) => {
    expect(parseRetrySchedule(text)).toBeUndefined();
  });

  it('moves a delay by at most the jitter either way', () => {
    expect(withJitter(1_000, 0.2, () => 0)).toBe(800);
    expect(withJitter(1_000, 0.2, () => 1)).toBe(1_200);
    expect(withJitter(1_000, 0.2, () => 0.5)).toBe(1_000);
    expect(withJitter(1_000, 0, () => 0)).toBe(1_000);
  });
});
