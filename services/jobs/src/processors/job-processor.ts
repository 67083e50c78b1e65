import type { Schema } from 'joi';

/** What a processor gets besides its input. */
export interface ProcessorContext {
  /** Aborted when the job is canceled or the worker shuts down; stop promptly when it fires. */
  signal: AbortSignal;
  jobId: string;
  /** Which run of the job this is: 1 for the first, higher after transient failures or a lost worker. */
  attempt: number;
}

/**
 * Runs one type of job. `process` resolves with the job's result (JSON) or rejects: with a
 * `PermanentJobError` when retrying cannot help, with a `TransientJobError` when it may;
 * anything else is treated as a bug in the processor (permanent, with a generic message).
 */
export interface JobProcessor {
  /** The job type clients submit, e.g. `echo`. */
  readonly type: string;
  /** Validates `input` at submission (HTTP) and again before running. */
  readonly inputSchema: Schema;
  /** Runs a job that failed transiently at most this many times in all (default 3). */
  readonly maxAttempts?: number;
  /**
   * How long one run may take (default 10 min; `JOB_TIMEOUTS_MS` overrides it per type). At
   * the deadline the signal is aborted and the run counts as a transient failure,
   * `JOBS.JOB_TIMEOUT`.
   */
  readonly timeoutMs?: number;
  /**
   * Takes a file uploaded with the job (`multipart/form-data`). The service stores it and sets
   * `input.upload` to `{ bytes, sha256 }`; clients cannot set `input.upload` themselves.
   */
  readonly acceptsUpload?: boolean;
  process(input: unknown, context: ProcessorContext): Promise<unknown>;
}

export const DEFAULT_MAX_ATTEMPTS = 3;
export const DEFAULT_TIMEOUT_MS = 10 * 60_000;
