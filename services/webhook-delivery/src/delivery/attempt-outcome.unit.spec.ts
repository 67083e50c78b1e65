import { judgeAttempt, nextDelayMs, parseRetryAfter } from './attempt-outcome';
import { failureOpensCircuit } from './circuit-breaker';

describe('judging an attempt', () => {
  const judge = (status: number, retryAfterSeconds?: number) => judgeAttempt({ kind: 'response', status, retryAfterSeconds }, 60_000);

  it.each([200, 201, 204, 299])('counts %i as a success', (status) => expect(judge(status)).toEqual({ kind: 'succeeded' }));
  it('disables the endpoint on 410', () => expect(judge(410)).toEqual({ kind: 'gone' }));
  it.each([400, 401, 403, 404, 413, 422])('does not retry %i', (status) => expect(judge(status)).toEqual({ kind: 'give-up' }));
  it.each([408, 429, 500, 502, 503, 504, 301, 302])('retries %i', (status) => expect(judge(status)).toEqual({ kind: 'retry' }));

  it('honours Retry-After on 429 and 503, capped', () => {
    expect(judge(429, 2)).toEqual({ kind: 'retry', notBeforeMs: 2_000 });
    expect(judge(503, 3_600)).toEqual({ kind: 'retry', notBeforeMs: 60_000 });
  });

  it('retries timeouts and network errors, but not addresses the guard refuses', () => {
    expect(judgeAttempt({ kind: 'error', code: 'TIMEOUT' }, 0)).toEqual({ kind: 'retry' });
    expect(judgeAttempt({ kind: 'error', code: 'NETWORK' }, 0)).toEqual({ kind: 'retry' });
    expect(judgeAttempt({ kind: 'error', code: 'ADDRESS_BLOCKED' }, 0)).toEqual({ kind: 'give-up' });
    expect(judgeAttempt({ kind: 'error', code: 'URL_REFUSED' }, 0)).toEqual({ kind: 'give-up' });
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = new Date('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('2', now)).toBe(2);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:10 GMT', now)).toBe(10);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('the next attempt', () => {
  const schedule = [0, 100, 200];
  const exact = (ms: number) => ms;

  it('follows the schedule, then gives up', () => {
    expect(nextDelayMs(schedule, 1, {}, exact)).toBe(100);
    expect(nextDelayMs(schedule, 2, {}, exact)).toBe(200);
    expect(nextDelayMs(schedule, 3, {}, exact)).toBeUndefined();
  });

  it('waits at least as long as Retry-After asked', () => {
    expect(nextDelayMs(schedule, 1, { notBeforeMs: 2_000 }, exact)).toBe(2_000);
    expect(nextDelayMs(schedule, 2, { notBeforeMs: 50 }, exact)).toBe(200);
  });
});

describe('the circuit breaker', () => {
  const policy = { consecutiveFailures: 10, failureRate: 0.7, minAttempts: 20 };

  it('opens after the set number of consecutive failures', () => {
    expect(failureOpensCircuit({ circuit: 'closed', consecutiveFailures: 9, windowAttempts: 9, windowFailures: 9 }, policy)).toBe(false);
    expect(failureOpensCircuit({ circuit: 'closed', consecutiveFailures: 10, windowAttempts: 10, windowFailures: 10 }, policy)).toBe(true);
  });

  it('opens when most attempts in the window failed, given enough of them', () => {
    expect(failureOpensCircuit({ circuit: 'closed', consecutiveFailures: 1, windowAttempts: 20, windowFailures: 14 }, policy)).toBe(true);
    expect(failureOpensCircuit({ circuit: 'closed', consecutiveFailures: 1, windowAttempts: 20, windowFailures: 13 }, policy)).toBe(false);
    expect(failureOpensCircuit({ circuit: 'closed', consecutiveFailures: 1, windowAttempts: 10, windowFailures: 10 }, { ...policy, consecutiveFailures: 50 })).toBe(false);
  });

  it('opens again when the probe fails', () => {
    expect(failureOpensCircuit({ circuit: 'half_open', consecutiveFailures: 1, windowAttempts: 1, windowFailures: 1 }, policy)).toBe(true);
  });
});
