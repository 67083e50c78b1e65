import { PermanentJobError, TransientJobError } from '../../processors/processor.errors';

/**
 * Why a run was stopped from outside: the client canceled it, this worker is stopping, this
 * worker could not keep the job's lease (it may already be someone else's), or the run took
 * longer than its type allows.
 */
export type StopReason = 'canceled' | 'shutdown' | 'lost' | 'timeout';

/** The reason a stopped processor's signal carries. */
export const STOP_MESSAGES: Record<StopReason, string> = {
  canceled: 'The job was canceled.',
  shutdown: 'The worker is shutting down.',
  lost: 'The worker can no longer hold the job.',
  timeout: 'The job took longer than its type allows.',
};

/** How a processor call ended. */
export type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

export type JobOutcome =
  | { kind: 'succeeded'; result: unknown }
  | { kind: 'failed'; code: string; message: string; unexpected?: unknown }
  | { kind: 'retry' }
  /** Somebody else already decided the job's fate (a cancel): write nothing. */
  | { kind: 'abandoned' }
  /** Stopped by the shutdown or a lost lease: back to the queue for another worker. */
  | { kind: 'handed_back' };

/**
 * What to record for a run, from how the processor ended and whether it was stopped. A
 * transient failure (a timeout is one) is retried until the job has had `maxAttempts` runs;
 * a run that still succeeded after it was stopped for its shutdown or timeout keeps its
 * result. Anything that is neither a transient nor a permanent job error is a bug in the
 * processor, reported to the client without its details.
 */
export function outcomeOf(settled: Settled, stopped: StopReason | undefined, attempt: number, maxAttempts: number): JobOutcome {
  if (stopped === 'canceled') return { kind: 'abandoned' };
  if (settled.ok) return { kind: 'succeeded', result: settled.value };
  // Handing back is guarded by the attempt, so it is a no-op if the reaper got there first.
  if (stopped === 'shutdown' || stopped === 'lost') return { kind: 'handed_back' };
  const error = stopped === 'timeout' ? new TransientJobError('JOBS.JOB_TIMEOUT', STOP_MESSAGES.timeout) : settled.error;
  if (error instanceof PermanentJobError) return { kind: 'failed', code: error.code, message: error.message };
  if (error instanceof TransientJobError) {
    return attempt < maxAttempts ? { kind: 'retry' } : { kind: 'failed', code: error.code, message: error.message };
  }
  return { kind: 'failed', code: 'JOBS.PROCESSOR_CRASHED', message: 'The job failed unexpectedly.', unexpected: error };
}
