import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '@conveyor/config';
import { PgListener } from '@conveyor/persistence';
import { DataSource } from 'typeorm';
import type { JobsConfig } from '../jobs.config';

/** Sent (payload: the job id) in the transaction that records a vendor's callback. */
export const VENDOR_CALLBACK_CHANNEL = 'jobs_vendor_callback';

/** What an `async` vendor answered for a job. */
export type VendorAnswer = { outcome: 'succeeded'; result: unknown } | { outcome: 'failed'; errorMessage: string };

/** The most a waiting job goes without looking at the table when no NOTIFY arrives. */
const MAX_POLL_MS = 1_000;

/**
 * Where a running `vendor.call` job waits for its vendor's callback. Any instance may receive
 * the callback; it writes the answer to `vendor_callbacks` and NOTIFYs, and the instance
 * running the job wakes up. One LISTEN connection per instance serves all its waiting jobs,
 * opened when the first one waits; a poll covers notifications lost while it reconnects.
 */
@Injectable()
export class VendorCallbacks implements OnApplicationShutdown {
  private readonly wakers = new Map<string, Set<() => void>>();
  private listener?: PgListener;
  private readonly pollMs: number;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: Pick<JobsConfig, 'DATABASE_URL' | 'WORKER_POLL_INTERVAL_MS'>,
  ) {
    this.pollMs = Math.min(config.WORKER_POLL_INTERVAL_MS, MAX_POLL_MS);
  }

  async find(jobId: string): Promise<VendorAnswer | undefined> {
    const [row] = await this.dataSource.query<{ outcome: 'succeeded' | 'failed'; result: unknown; error_message: string | null }[]>(
      `SELECT outcome, result, error_message FROM jobs.vendor_callbacks WHERE job_id = $1`,
      [jobId],
    );
    if (!row) return undefined;
    return row.outcome === 'succeeded'
      ? { outcome: 'succeeded', result: row.result }
      : { outcome: 'failed', errorMessage: row.error_message ?? '' };
  }

  /**
   * The vendor's answer for the job, or undefined when none came within `timeoutMs`. Rejects
   * with the signal's reason as soon as it is aborted (cancel, shutdown).
   */
  async waitFor(jobId: string, timeoutMs: number, signal: AbortSignal): Promise<VendorAnswer | undefined> {
    this.listen();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      signal.throwIfAborted();
      // Registered before looking, so a NOTIFY that lands during the lookup is not lost.
      const woken = this.wakeOn(jobId, Math.min(this.pollMs, Math.max(0, deadline - Date.now())), signal);
      const answer = await this.find(jobId).catch((error) => {
        woken.cancel();
        throw error;
      });
      if (answer) {
        woken.cancel();
        return answer;
      }
      if (Date.now() >= deadline) {
        woken.cancel();
        return undefined;
      }
      await woken.promise;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener?.stop();
  }

  private listen(): void {
    if (this.listener) return;
    this.listener = new PgListener({
      url: this.config.DATABASE_URL,
      channels: [VENDOR_CALLBACK_CHANNEL],
      applicationName: 'jobs-vendor-callbacks',
      onNotification: (_channel, jobId) => {
        if (jobId) for (const wake of this.wakers.get(jobId) ?? []) wake();
      },
      // Reconnected: anything sent meanwhile is lost, so every waiter looks again.
      onConnected: () => {
        for (const wakers of this.wakers.values()) for (const wake of wakers) wake();
      },
    });
    this.listener.start();
  }

  /** Resolves on a NOTIFY for the job or after `ms`; rejects when the signal aborts. */
  private wakeOn(jobId: string, ms: number, signal: AbortSignal): { promise: Promise<void>; cancel(): void } {
    let done!: () => void;
    let fail!: (reason: unknown) => void;
    const promise = new Promise<void>((resolve, reject) => {
      done = resolve;
      fail = reject;
    });
    const wakers = this.wakers.get(jobId) ?? new Set<() => void>();
    this.wakers.set(jobId, wakers);
    const onAbort = () => finish(() => fail(signal.reason));
    const timer = setTimeout(() => finish(done), ms);
    const wake = () => finish(done);
    function finish(this: void, settle: () => void) {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      wakers.delete(wake);
      settle();
    }
    const cleanup = () => {
      if (wakers.size === 0 && this.wakers.get(jobId) === wakers) this.wakers.delete(jobId);
    };
    wakers.add(wake);
    signal.addEventListener('abort', onAbort, { once: true });
    void promise.then(cleanup, cleanup);
    return { promise, cancel: () => finish(done) };
  }
}
