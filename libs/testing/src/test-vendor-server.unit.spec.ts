import { mostRequestsWithin } from './test-vendor-server';

describe('mostRequestsWithin', () => {
  it('counts the busiest sliding window, wherever it starts', () => {
    // given bursts that straddle whole seconds
    const arrivals = [0, 100, 900, 950, 1_050, 1_800, 2_500];
    // when / then: 900..1800 holds four, 0..950 holds four, nothing holds five
    expect(mostRequestsWithin(arrivals, 1_000)).toBe(4);
  });

  it('puts two arrivals exactly one window apart in different windows', () => {
    expect(mostRequestsWithin([0, 1_000, 2_000], 1_000)).toBe(1);
    expect(mostRequestsWithin([0, 999.9], 1_000)).toBe(2);
  });

  it('does not depend on the order of the arrivals, and is 0 for none', () => {
    expect(mostRequestsWithin([1_050, 0, 950, 100], 1_000)).toBe(3);
    expect(mostRequestsWithin([], 1_000)).toBe(0);
  });
});
