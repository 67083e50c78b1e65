import type { Instance } from './cluster';

export interface CallResult {
  status: number;
  body: Record<string, unknown>;
}

export interface BalancedCallOptions {
  method?: string;
  token?: string;
  headers?: Record<string, string>;
  /** JSON body, or a FormData for uploads. */
  body?: unknown;
  /** Statuses worth another try (besides network errors): the request had no lasting effect. */
  retryOn?: number[];
  /** How long to keep trying across instances before giving up. */
  deadlineMs?: number;
}

/** Counts of what the clients met on the way, for the report. */
export const callStats = { requests: 0, networkErrors: 0, retriedStatuses: 0, gaveUp: 0 };

/**
 * A client-side load balancer: each try goes to a random instance of the service that is not
 * known to be down, and a network error (the instance was just killed) or a retryable status
 * (503 while the database restarts, 409 while an idempotency key is in flight) tries again
 * elsewhere with a growing pause. Callers make retries safe (Idempotency-Key on submissions).
 */
export async function balancedCall(instances: Instance[], path: string, options: BalancedCallOptions = {}): Promise<CallResult> {
  const deadline = Date.now() + (options.deadlineMs ?? 120_000);
  const retryOn = new Set(options.retryOn ?? [500, 502, 503, 504]);
  let pause = 100;
  let last = 'no try';
  for (;;) {
    const live = instances.filter((instance) => instance.up);
    const instance = (live.length ? live : instances)[Math.floor(Math.random() * (live.length || instances.length))];
    callStats.requests++;
    try {
      const result = await once(instance.url + path, options);
      if (!retryOn.has(result.status)) return result;
      callStats.retriedStatuses++;
      last = `${instance.id} answered ${result.status} ${JSON.stringify(result.body).slice(0, 200)}`;
    } catch (error) {
      callStats.networkErrors++;
      last = `${instance.id}: ${(error as Error).message}`;
    }
    if (Date.now() + pause > deadline) {
      callStats.gaveUp++;
      throw new Error(`${options.method ?? 'GET'} ${path} gave up: ${last}`);
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(pause * 2, 2_000);
  }
}

async function once(url: string, options: BalancedCallOptions): Promise<CallResult> {
  const isForm = options.body instanceof FormData;
  const response = await fetch(url, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(options.body !== undefined && !isForm && { 'content-type': 'application/json' }),
      ...(options.token && { authorization: `Bearer ${options.token}` }),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : isForm ? (options.body as FormData) : JSON.stringify(options.body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = { text: text.slice(0, 200) };
  }
  return { status: response.status, body };
}
