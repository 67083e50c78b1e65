/** What one HTTP attempt produced: a response, or the reason there was none. */
export type AttemptResult =
  | { kind: 'response'; status: number; retryAfterSeconds?: number }
  | { kind: 'error'; code: string };

/**
 * What happens to the delivery next:
 * - `succeeded`: any 2xx.
 * - `gone`: 410; the endpoint is disabled and the delivery given up.
 * - `give-up`: a 4xx that retrying will not fix (all but 408 and 429), or a URL the SSRF guard
 *   refuses; the delivery goes to the dead-letter state at once.
 * - `retry`: 5xx, 408, 429, 3xx (redirects are not followed), timeouts and network errors;
 *   `notBeforeMs` carries a `Retry-After` (429/503) within `maxRetryAfterMs`.
 */
export type AttemptVerdict =
  | { kind: 'succeeded' }
  | { kind: 'gone' }
  | { kind: 'give-up' }
  | { kind: 'retry'; notBeforeMs?: number };

const REFUSED_CODES = new Set(['URL_REFUSED', 'ADDRESS_BLOCKED']);

export function judgeAttempt(result: AttemptResult, maxRetryAfterMs: number): AttemptVerdict {
  if (result.kind === 'error') return REFUSED_CODES.has(result.code) ? { kind: 'give-up' } : { kind: 'retry' };
  const { status, retryAfterSeconds } = result;
  if (status >= 200 && status < 300) return { kind: 'succeeded' };
  if (status === 410) return { kind: 'gone' };
  if ((status === 429 || status === 503) && retryAfterSeconds !== undefined) {
    return { kind: 'retry', notBeforeMs: Math.min(retryAfterSeconds * 1000, maxRetryAfterMs) };
  }
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) return { kind: 'give-up' };
  return { kind: 'retry' };
}

/** `Retry-After` as seconds from `now`: either delay-seconds or an HTTP date. Undefined when unusable. */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

/**
 * When the next attempt is due, in ms from now, or undefined when the schedule is used up.
 * `attemptsInRound` counts the attempts made since the delivery was (re)queued; the schedule's
 * first entry is the delay before the first of them, so the next one waits `schedule[made]`.
 */
export function nextDelayMs(
  schedule: readonly number[],
  attemptsInRound: number,
  verdict: { notBeforeMs?: number },
  jittered: (delayMs: number) => number,
): number | undefined {
  if (attemptsInRound >= schedule.length) return undefined;
  return Math.max(jittered(schedule[attemptsInRound]), verdict.notBeforeMs ?? 0);
}
