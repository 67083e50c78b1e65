import { createEvent, JobStartedV1 } from '@conveyor/contracts';
import type { OutboxWriter } from '@conveyor/outbox';
import { Attr, restoreTraceContext, tracer } from '@conveyor/tracing';
import { queryRows } from '@conveyor/persistence';
import type { DataSource, EntityManager } from 'typeorm';
import { DEFAULT_MAX_CONCURRENT_JOBS } from '../../plans/plan-limits';
import { leaseFromNow, type LeaseTerms } from './job-lease';
import { JOB_ROW_COLUMNS, jobFactsOf, type JobRow } from './job-row';
import { JOBS_SOURCE } from '../job-facts';
import { announceWork } from './work-tokens';

/**
 * How long a client's job that is still `pending` (billing has not answered yet) holds back
 * that client's later, already `queued` jobs. Billing answers in milliseconds but not
 * necessarily in submission order; the window keeps jobs starting in submission order, and
 * its bound keeps one job that billing never answers from blocking the client for good.
 */
const PENDING_ORDER_WINDOW_SECONDS = 60;

/**
 * A queued job a worker may take now: one that failed transiently waits out its backoff first
 * (`run_after`). A waiting job does not hold back its client's later jobs.
 */
const READY = `(run_after IS NULL OR run_after <= now())`;

/**
 * Clients that have queued jobs and, as far as a plain read can tell, a free slot; oldest
 * waiting job first, so clients are served in the order their work arrived. This is only a
 * hint: `claim` decides under the client's lock.
 */
const CANDIDATES_SQL = `
  SELECT q.user_id
  FROM (SELECT user_id, min(seq) AS head FROM jobs.jobs WHERE status = 'queued' AND ${READY} GROUP BY user_id) q
  LEFT JOIN jobs.plans p ON p.user_id = q.user_id
  WHERE (SELECT count(*) FROM jobs.jobs r WHERE r.user_id = q.user_id AND r.status = 'running')
        < coalesce(p.max_concurrent_jobs, $1)
  ORDER BY q.head
  LIMIT $2`;

/** Serialises every claim for one client, across all workers (see `claim`). */
export const LOCK_CLIENT_SQL = `SELECT pg_advisory_xact_lock(hashtext('jobs.claim'), hashtext($1))`;

/**
 * $1 client, $2 default limit, $3 most jobs this worker can take, $4 pending window (s),
 * $5 lease (s), $6 this worker. A job of a lost worker counts as running until the reaper
 * frees it, so it holds its client's slot for at most one lease (plus a poll).
 */
const CLAIM_SQL = `
  WITH slots AS (
    SELECT coalesce((SELECT max_concurrent_jobs FROM jobs.plans WHERE user_id = $1), $2)
         - (SELECT count(*) FROM jobs.jobs WHERE user_id = $1 AND status = 'running') AS free
  ), barrier AS (
    -- ORDER BY … LIMIT 1 rather than min(seq): it reads jobs_pending in order and stops at the
    -- first entry; min() let the planner walk the whole seq index instead.
    SELECT (SELECT seq FROM jobs.jobs
            WHERE user_id = $1 AND status = 'pending' AND created_at > now() - make_interval(secs => $4)
            ORDER BY user_id, seq LIMIT 1) AS seq
  ), next AS (
    SELECT j.id FROM jobs.jobs j, barrier
    WHERE j.user_id = $1 AND j.status = 'queued' AND ${READY} AND (barrier.seq IS NULL OR j.seq < barrier.seq)
    ORDER BY j.seq
    LIMIT greatest(0, least($3, (SELECT free FROM slots)))
  )
  UPDATE jobs.jobs j
  SET status = 'running', started_at = clock_timestamp(), attempts = j.attempts + 1, run_after = NULL,
      lease_expires_at = ${leaseFromNow('$5')}, worker_id = $6,
      version = j.version + 1, updated_at = clock_timestamp()
  FROM next
  WHERE j.id = next.id AND j.status = 'queued'
  RETURNING ${JOB_ROW_COLUMNS('j')}`;

/**
 * Moves queued jobs to `running` without ever letting a client run more jobs than its plan
 * allows, however many workers claim at once, and in submission order per client.
 *
 * The design: a claim for a client is a READ COMMITTED transaction that first takes a
 * transaction-scoped advisory lock keyed by the client, and only then, in a second statement,
 * counts the client's running jobs and moves its oldest queued ones (lowest `seq`) into the
 * free slots. Because only claims make jobs `running`, and claims for one client are
 * serialised by the lock, the count can never be overtaken by another claim. The second
 * statement matters: under READ COMMITTED each statement takes a fresh snapshot, so the
 * count sees every claim committed before the lock was granted (a previous holder commits
 * before its lock is released). One statement that both waits for the lock and counts would
 * count with a snapshot from before the wait, and two workers could fill the same slot; so
 * would REPEATABLE READ. Jobs leaving `running` (finished, canceled, handed back) need no lock:
 * they can only make a concurrent count too high, which delays a start until the next wake.
 * Row locks alone cannot do it: `FOR UPDATE` on queued rows does not stop two workers from
 * each starting a different job of the client, and a client need not have a plans row.
 *
 * Order: the lock also serialises the choice of the next job, and the claim takes a client's
 * queued jobs strictly by `seq`, stopping at an earlier job still waiting for billing (see
 * PENDING_ORDER_WINDOW_SECONDS). A job handed back to the queue keeps its `seq`, so it is
 * next again. A hash collision between two clients only makes them share a lock.
 */
export class JobClaimer {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly lease: LeaseTerms,
  ) {}

  candidates(limit: number): Promise<string[]> {
    return this.dataSource
      .query(CANDIDATES_SQL, [DEFAULT_MAX_CONCURRENT_JOBS, limit])
      .then((rows: { user_id: string }[]) => rows.map((row) => row.user_id));
  }

  /**
   * Starts up to `max` of the client's queued jobs (fewer when its plan has fewer free slots),
   * each under a lease held by this worker, and writes their `jobs.job.started.v1` events in
   * the same transaction. Running it again for the same state starts nothing more, which is
   * what makes repeated "work available" tokens harmless.
   */
  claim(userId: string, max: number): Promise<JobRow[]> {
    return this.dataSource.transaction('READ COMMITTED', async (manager) => {
      await manager.query(LOCK_CLIENT_SQL, [userId]);
      const claimed = await queryRows<JobRow>(manager, CLAIM_SQL, [
        userId,
        DEFAULT_MAX_CONCURRENT_JOBS,
        max,
        PENDING_ORDER_WINDOW_SECONDS,
        this.lease.seconds,
        this.lease.holder,
      ]);
      claimed.sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1));
      for (const job of claimed) await this.writeStarted(job, manager);
      // The worker's room (or the round's share of it), not the plan, may have capped this
      // claim: the client may have more it could start now, so a new token lets a worker with
      // room look again. A round that takes fewer than it could ends the chain.
      if (claimed.length > 0 && claimed.length === max) {
        await announceWork(this.outbox, manager, { userId, jobId: null, cause: 'more_queued' });
      }
      return claimed;
    });
  }

  /** The event joins the job's own trace (the one that submitted and queued it). */
  private writeStarted(job: JobRow, manager: EntityManager): Promise<void> {
    const attributes = { [Attr.jobId]: job.id, [Attr.userId]: job.user_id };
    return tracer().startActiveSpan('start job', { attributes }, restoreTraceContext(job.trace_context), async (span) => {
      try {
        const startedAt = (job.started_at as Date).toISOString();
        const data = { ...jobFactsOf(job), attempt: job.attempts, startedAt };
        await this.outbox.add(createEvent(JobStartedV1, { source: JOBS_SOURCE, subject: job.id, data }), manager);
      } finally {
        span.end();
      }
    });
  }
}
