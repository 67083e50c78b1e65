import { isTerminal, type Job, type JobEvent } from './types';

export interface WaitForJobOptions {
  /** Give up after this long (60 s) with a WaitForJobTimeoutError. */
  timeoutMs?: number;
  /** `auto` (default): stream, and poll when the stream cannot be used; `sse` or `poll` only. */
  mode?: 'auto' | 'sse' | 'poll';
  /** Between polls (500 ms). */
  pollIntervalMs?: number;
  /** Each status change seen, from the stream or from a poll that saw a new status. */
  onStatus?: (status: JobEvent['status'], job: { id: string; at?: string }) => void;
  signal?: AbortSignal;
}

export class WaitForJobTimeoutError extends Error {
  override readonly name = 'WaitForJobTimeoutError';
  constructor(
    readonly jobId: string,
    readonly lastStatus: string | undefined,
  ) {
    super(`job ${jobId} did not finish in time (last status: ${lastStatus ?? 'unknown'})`);
  }
}

export interface JobSource<Result> {
  get(id: string, signal: AbortSignal): Promise<Job<Result>>;
  events(id: string, lastEventId: string | undefined, signal: AbortSignal): AsyncIterable<JobEvent>;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** Stream attempts in a row that may fail before `auto` settles for polling. */
const STREAM_ATTEMPTS = 3;

export async function waitForJob<Result>(source: JobSource<Result>, id: string, options: WaitForJobOptions = {}): Promise<Job<Result>> {
  const { timeoutMs = 60_000, mode = 'auto', pollIntervalMs = 500, onStatus } = options;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new WaitForJobTimeoutError(id, lastStatus)), timeoutMs);
  const onAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let lastStatus: string | undefined;
  const seen = (status: JobEvent['status'], at?: string) => {
    if (status === lastStatus) return;
    lastStatus = status;
    onStatus?.(status, { id, at });
  };
  const signal = controller.signal;

  try {
    if (mode !== 'poll') {
      let lastEventId: string | undefined;
      for (let failures = 0; failures < STREAM_ATTEMPTS || mode === 'sse'; ) {
        try {
          for await (const event of source.events(id, lastEventId, signal)) {
            lastEventId = event.id;
            failures = 0;
            seen(event.status, event.at);
            if (isTerminal(event.status)) {
              const job = await source.get(id, signal);
              if (isTerminal(job.status)) return job;
              break; // a read that lags behind the stream (a replica): poll until it catches up
            }
          }
          if (lastStatus !== undefined && isTerminal(lastStatus as JobEvent['status'])) break;
          failures++; // the stream ended before the final status: reconnect from the last event
        } catch (error) {
          if (signal.aborted) throw signal.reason;
          if (isClientError(error)) throw error; // 404, 401…: polling would fail the same way
          failures++;
        }
        if (mode === 'sse' && failures >= STREAM_ATTEMPTS) throw new Error(`the event stream of job ${id} keeps failing`);
      }
    }
    for (;;) {
      const job = await source.get(id, signal);
      seen(job.status);
      if (isTerminal(job.status)) return job;
      await source.sleep(pollIntervalMs, signal);
    }
  } catch (error) {
    if (signal.aborted && !options.signal?.aborted) throw new WaitForJobTimeoutError(id, lastStatus);
    throw error;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

function isClientError(error: unknown): boolean {
  const status = (error as { status?: unknown })?.status;
  return typeof status === 'number' && status >= 400 && status < 500 && status !== 429 && status !== 408;
}
