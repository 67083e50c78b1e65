import { DEFAULT_RETRY, parseRetryAfter, retryDelayMs } from './retry-policy';

describe('retryDelayMs', () => {
  it('waits what Retry-After asks, in seconds or as a date', () => {
    expect(retryDelayMs(0, '2', DEFAULT_RETRY)).toBe(2_000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
  });

  it('backs off exponentially with jitter when no Retry-After is given', () => {
    expect(retryDelayMs(0, null, DEFAULT_RETRY, 0, () => 0.5)).toBe(250);
    expect(retryDelayMs(2, null, DEFAULT_RETRY, 0, () => 0.5)).toBe(1_000);
    expect(retryDelayMs(1, null, DEFAULT_RETRY, 0, () => 0)).toBe(400);
  });

  it('gives up after the last retry and when Retry-After asks for more than the longest wait', () => {
    expect(retryDelayMs(3, '1', DEFAULT_RETRY)).toBeUndefined();
    expect(retryDelayMs(0, '3600', DEFAULT_RETRY)).toBeUndefined();
  });
});
