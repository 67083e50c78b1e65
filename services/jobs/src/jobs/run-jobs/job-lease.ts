import { queryRows } from '@conveyor/persistence';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { DataSource } from 'typeorm';
import { DEFAULT_JOB_LEASE_SECONDS } from '../../jobs.config';
import { JOB_ROW_COLUMNS, type JobRow } from './job-row';

/** How long a claim or a renewal holds a job, and the worker that holds it. */
export interface LeaseTerms {
  seconds: number;
  holder: string;
}

/**
 * The terms of one worker. The holder is stored as `worker_id`, for whoever looks into a stuck
 * or freed job; it is unique per worker, even for two workers in one process.
 */
export function leaseTerms(seconds = DEFAULT_JOB_LEASE_SECONDS): LeaseTerms {
  return { seconds, holder: `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}` };
}

/**
 * `lease_expires_at` for a lease taken or renewed now, `$n` being its length in seconds. Every
 * lease time comes from the database's clock, so workers on hosts whose clocks disagree still
 * agree on which leases have run out.
 */
export const leaseFromNow = (secondsParam: string) => `clock_timestamp() + make_interval(secs => ${secondsParam})`;

/**
 * $1 job ids, $2 the attempts claimed, $3 seconds. Only `running` rows at the claimed attempt
 * are renewed: a job canceled, handed back or taken over by the reaper is no longer this
 * run's. `version` stays as it is: the lease is not part of what clients see (nor the ETag).
 */
const RENEW_SQL = `
  UPDATE jobs.jobs j SET lease_expires_at = ${leaseFromNow('$3')}
  FROM unnest($1::uuid[], $2::int[]) AS mine(id, attempts)
  WHERE j.id = mine.id AND j.attempts = mine.attempts AND j.status = 'running'
  RETURNING j.id`;

/** $1 most rows. Oldest lease first, so a backlog of lost jobs is freed in the order it formed. */
const EXPIRED_SQL = `
  SELECT ${JOB_ROW_COLUMNS('j')}, j.worker_id FROM jobs.jobs j
  WHERE j.status = 'running' AND j.lease_expires_at < now()
  ORDER BY j.lease_expires_at
  LIMIT $1`;

export type ExpiredJob = JobRow & { worker_id: string | null };

/** Reads and renews the leases on running jobs. */
export class JobLeases {
  constructor(
    private readonly dataSource: DataSource,
    private readonly terms: LeaseTerms,
  ) {}

  /** Extends the leases of these runs; answers the ids whose lease it extended. */
  async renew(jobs: readonly JobRow[]): Promise<Set<string>> {
    if (jobs.length === 0) return new Set();
    const rows = await queryRows<{ id: string }>(this.dataSource, RENEW_SQL, [
      jobs.map((job) => job.id),
      jobs.map((job) => job.attempts),
      this.terms.seconds,
    ]);
    return new Set(rows.map((row) => row.id));
  }

  /** Running jobs whose lease has run out: their worker died, hung or gave up on them. */
  expired(limit: number): Promise<ExpiredJob[]> {
    return this.dataSource.query(EXPIRED_SQL, [limit]);
  }
}
