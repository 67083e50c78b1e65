import { createEvent, JobFailedV1, JobSucceededV1 } from '@conveyor/contracts';
import type { OutboxWriter } from '@conveyor/outbox';
import { queryRows } from '@conveyor/persistence';
import type { DataSource } from 'typeorm';
import type { StorableResult } from '../../results/job-results';
import { announceWork } from './work-tokens';
import { JOB_ROW_COLUMNS, jobFactsOf, type JobRow } from './job-row';
import { JOBS_SOURCE } from '../job-facts';
import { recordJobFinished } from '../job-metrics';

/** Results up to this size travel inside `jobs.job.succeeded.v1`; larger ones only by URL. */
export const INLINE_RESULT_LIMIT_BYTES = 64 * 1024;

const FINISHED = `finished_at = clock_timestamp(), version = version + 1, updated_at = clock_timestamp()`;

/**
 * Which run a write may end. `claimed`: the run its worker claimed, for as long as the job is
 * still at that attempt. `lease_expired`: the same run, but only once its lease has run out,
 * for the reaper that ends runs on behalf of a lost worker; a renewal that lands first makes
 * the reaper's write match nothing.
 */
export type RunGuard = 'claimed' | 'lease_expired';

const STILL_AT_ATTEMPT = `id = $1 AND status = 'running' AND attempts = $2`;
const GUARDS: Record<RunGuard, string> = {
  claimed: STILL_AT_ATTEMPT,
  lease_expired: `${STILL_AT_ATTEMPT} AND lease_expires_at < now()`,
};

/**
 * Ends a run. Every write is guarded by `status = 'running' AND attempts = <the claimed
 * attempt>`: it applies only while the job is still the run this worker claimed. A job
 * canceled meanwhile, or handed back (by its worker or by the reaper) and claimed again
 * elsewhere, matches nothing, and then nothing is written (the result is discarded, no
 * event). So a worker that was presumed dead and reports late changes nothing once its job
 * has moved on. Each method says whether it applied.
 */
export class JobFinisher {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
  ) {}

  /**
   * `result` is the result as JSON text (`null` for none), or a StorableResult whose file is
   * written in this same transaction: a run that was canceled or taken over stores nothing.
   */
  succeed(job: JobRow, result: string | StorableResult): Promise<boolean> {
    const { json, contentType = null, eventResult, storeWith } = typeof result === 'string' ? { json: result } : result;
    return this.dataSource.transaction(async (manager) => {
      const [row] = await queryRows<JobRow & { finished_at: Date }>(
        manager,
        `UPDATE jobs.jobs j SET status = 'succeeded', result = $3::jsonb, result_content_type = $4, ${FINISHED}
         WHERE ${GUARDS.claimed} RETURNING ${JOB_ROW_COLUMNS('j')}, j.finished_at`,
        [job.id, job.attempts, json, contentType],
      );
      if (!row) return false;
      await storeWith?.(manager);
      const inline = Buffer.byteLength(json) <= INLINE_RESULT_LIMIT_BYTES;
      const data = {
        ...jobFactsOf(row),
        status: 'succeeded' as const,
        startedAt: (row.started_at as Date).toISOString(),
        finishedAt: row.finished_at.toISOString(),
        result: eventResult !== undefined ? eventResult : inline ? (JSON.parse(json) as unknown) : null,
        resultUrl: `/v1/jobs/${row.id}/result`,
      };
      await this.outbox.add(createEvent(JobSucceededV1, { source: JOBS_SOURCE, subject: row.id, data }), manager);
      await announceWork(this.outbox, manager, { userId: row.user_id, jobId: row.id, cause: 'slot_freed' });
      return row;
    }).then((row) => {
      if (row) recordJobFinished(row.type, 'succeeded', { startedAt: row.started_at, finishedAt: row.finished_at });
      return row !== false;
    });
  }

  fail(job: JobRow, error: { code: string; message: string }, guard: RunGuard = 'claimed'): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const message = error.message.slice(0, 1000);
      const [row] = await queryRows<JobRow & { finished_at: Date }>(
        manager,
        `UPDATE jobs.jobs j SET status = 'failed', error_code = $3, error_message = $4, ${FINISHED}
         WHERE ${GUARDS[guard]} RETURNING ${JOB_ROW_COLUMNS('j')}, j.finished_at`,
        [job.id, job.attempts, error.code, message],
      );
      if (!row) return false;
      const data = {
        ...jobFactsOf(row),
        status: 'failed' as const,
        startedAt: row.started_at?.toISOString() ?? null,
        finishedAt: row.finished_at.toISOString(),
        attempts: row.attempts,
        error: { code: error.code, message },
      };
      await this.outbox.add(createEvent(JobFailedV1, { source: JOBS_SOURCE, subject: row.id, data }), manager);
      await announceWork(this.outbox, manager, { userId: row.user_id, jobId: row.id, cause: 'slot_freed' });
      return row;
    }).then((row) => {
      if (row) recordJobFinished(row.type, 'failed', { startedAt: row.started_at, finishedAt: row.finished_at });
      return row !== false;
    });
  }

  /**
   * Hands the job back to the queue (a transient failure, this worker is shutting down, or the
   * reaper found its worker lost). It keeps its `seq`, so it is its client's next job again,
   * and its `attempts`; the start, lease and holder of the ended run are cleared. A transient
   * failure passes `delayMs`: no worker takes the job again before it has passed. No event: to
   * everyone outside, the job is simply still on its way. The freed slot gets a "work available"
   * token; a job still waiting out its delay is found by the workers' poll once it has passed.
   */
  requeue(job: JobRow, guard: RunGuard = 'claimed', delayMs = 0): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const [row] = await queryRows<{ id: string; user_id: string }>(
        manager,
        `UPDATE jobs.jobs SET status = 'queued', started_at = NULL, lease_expires_at = NULL, worker_id = NULL,
           run_after = CASE WHEN $3::int > 0 THEN clock_timestamp() + $3::int * interval '1 millisecond' END,
           version = version + 1, updated_at = clock_timestamp()
         WHERE ${GUARDS[guard]} RETURNING id, user_id`,
        [job.id, job.attempts, Math.round(delayMs)],
      );
      if (row) await announceWork(this.outbox, manager, { userId: row.user_id, jobId: row.id, cause: 'slot_freed' });
      return row !== undefined;
    });
  }
}
