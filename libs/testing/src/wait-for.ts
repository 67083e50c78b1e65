import { inspect } from 'node:util';

export interface WaitForOptions {
  /** What is awaited, for the timeout message ("the job to succeed"). */
  description: string;
  timeoutMs?: number;
  intervalMs?: number;
}

type Falsy = false | 0 | 0n | '' | null | undefined;

type Outcome = { kind: 'none' } | { kind: 'value'; value: unknown } | { kind: 'error'; error: unknown };

/**
 * Polls `probe` until it returns a truthy value, and returns that value. A probe that throws is
 * retried like one that returns a falsy value: the condition may simply not hold yet. On timeout
 * the error names the description and the last value or error seen, which usually says why.
 */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  { description, timeoutMs = 10_000, intervalMs = 50 }: WaitForOptions,
): Promise<Exclude<T, Falsy>> {
  const deadline = Date.now() + timeoutMs;
  let last: Outcome = { kind: 'none' };
  for (;;) {
    const remaining = deadline - Date.now();
    try {
      // A probe that hangs must not hold the caller past the deadline.
      const value = await withinMs(Math.max(remaining, 0), probe);
      if (value) return value as Exclude<T, Falsy>;
      last = { kind: 'value', value };
    } catch (error) {
      if (error instanceof ProbeTimeout) break;
      last = { kind: 'error', error };
    }
    const left = deadline - Date.now();
    if (left <= 0) break;
    await delay(Math.min(intervalMs, left));
  }
  throw timeoutError(description, timeoutMs, last);
}

class ProbeTimeout extends Error {}

async function withinMs<T>(ms: number, probe: () => T | Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProbeTimeout()), ms);
  });
  try {
    return await Promise.race([Promise.resolve().then(probe), expired]);
  } finally {
    clearTimeout(timer);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function timeoutError(description: string, timeoutMs: number, last: Outcome): Error {
  const prefix = `Timed out after ${timeoutMs} ms waiting for ${description}`;
  switch (last.kind) {
    case 'none':
      return new Error(`${prefix}; the probe never completed`);
    case 'value':
      return new Error(`${prefix}; last value: ${inspect(last.value, { depth: 3 })}`);
    case 'error':
      return new Error(`${prefix}; last error: ${describeError(last.error)}`, { cause: last.error });
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : inspect(error);
}
