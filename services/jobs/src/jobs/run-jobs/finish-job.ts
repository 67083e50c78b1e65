import { createEvent, JobFailedV1, JobSucceededV1 } from '@conveyor/contracts';
import type { OutboxWriter } from '@conveyor/outbox';
import type { DataSource } from 'typeorm';
import { JOB_QUEUED_CHANNEL } from './job-channels';
import { JOB_ROW_COLUMNS, jobFacts, updatedRows, type JobRow } from './job-row';

/** Results up to this size travel inside `jobs.job.succeeded.v1`; larger ones only by URL. */
export const INLINE_RESULT_LIMIT_BYTES = 64 * 1024;

const FINISHED = `finished_at = clock_timestamp(), version = version + 1, updated_at = clock_timestamp()`;
const STILL_OURS = `id = $1 AND status = 'running' AND attempts = $2`;

/**
 * Ends a run. Every write is guarded by `status = 'running' AND attempts = <the claimed
 * attempt>`: it applies only while the job is still the run this worker claimed. A job
 * canceled meanwhile, or handed back and claimed again elsewhere, matches nothing, and then
 * nothing is written (the result is discarded, no event). Each method says whether it applied.
 */
export class JobFinisher {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
  ) {}

  /** `serializedResult` is the result as JSON text (`null` for none). */
  succeed(job: JobRow, serializedResult: string): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const [row] = updatedRows<JobRow & { finished_at: Date }>(
        await manager.query(
          `UPDATE jobs.jobs j SET status = 'succeeded', result = $3::jsonb, ${FINISHED}
           WHERE ${STILL_OURS} RETURNING ${JOB_ROW_COLUMNS('j')}, j.finished_at`,
          [job.id, job.attempts, serializedResult],
        ),
      );
      if (!row) return false;
      const inline = Buffer.byteLength(serializedResult) <= INLINE_RESULT_LIMIT_BYTES;
      const data = {
        ...jobFacts(row),
        status: 'succeeded' as const,
        startedAt: (row.started_at as Date).toISOString(),
        finishedAt: row.finished_at.toISOString(),
        result: inline ? (JSON.parse(serializedResult) as unknown) : null,
        resultUrl: `/v1/jobs/${row.id}/result`,
      };
      await this.outbox.add(createEvent(JobSucceededV1, { source: '/conveyor/jobs', subject: row.id, data }), manager);
      return true;
    });
  }

  fail(job: JobRow, error: { code: string; message: string }): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const message = error.message.slice(0, 1000);
      const [row] = updatedRows<JobRow & { finished_at: Date }>(
        await manager.query(
          `UPDATE jobs.jobs j SET status = 'failed', error_code = $3, error_message = $4, ${FINISHED}
           WHERE ${STILL_OURS} RETURNING ${JOB_ROW_COLUMNS('j')}, j.finished_at`,
          [job.id, job.attempts, error.code, message],
        ),
      );
      if (!row) return false;
      const data = {
        ...jobFacts(row),
        status: 'failed' as const,
        startedAt: row.started_at?.toISOString() ?? null,
        finishedAt: row.finished_at.toISOString(),
        attempts: row.attempts,
        error: { code: error.code, message },
      };
      await this.outbox.add(createEvent(JobFailedV1, { source: '/conveyor/jobs', subject: row.id, data }), manager);
      return true;
    });
  }

  /**
   * Hands the job back to the queue (a transient failure, or this worker is shutting down).
   * It keeps its `seq`, so it is its client's next job again, and its `attempts`. No event:
   * to everyone outside, the job is simply still on its way.
   */
  requeue(job: JobRow): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const [row] = updatedRows<{ id: string }>(
        await manager.query(
          `UPDATE jobs.jobs SET status = 'queued', version = version + 1, updated_at = clock_timestamp()
           WHERE ${STILL_OURS} RETURNING id`,
          [job.id, job.attempts],
        ),
      );
      if (row) await manager.query(`SELECT pg_notify($1, '')`, [JOB_QUEUED_CHANNEL]);
      return row !== undefined;
    });
  }
}
