import {
  AccountPlanChangedV1,
  createEvent,
  CreditsRejectedV1,
  CreditsReservedV1,
  type EventEnvelope,
} from '@conveyor/contracts';
import { waitFor } from '@conveyor/testing';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';

/** Runs SQL as the superuser of the spec's database (`ServiceUnderTest.sql`, or a pg client). */
export type Sql = <T extends object = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<T[]>;

export interface PendingJob {
  id: string;
  userId: string;
}

/**
 * A job as `POST /v1/jobs` leaves it: `pending`, its submitted event on its way to billing.
 * Inserted directly, so these specs do not depend on the HTTP API.
 */
export async function insertPendingJob(
  sql: Sql,
  { userId = randomUUID(), input = {}, type = 'echo' }: { userId?: string; input?: unknown; type?: string } = {},
): Promise<PendingJob> {
  const id = randomUUID();
  await sql(
    `INSERT INTO jobs.jobs (id, user_id, type, input, metadata, status) VALUES ($1, $2, $3, $4, '{"order": "42"}', 'pending')`,
    [id, userId, type, JSON.stringify(input)],
  );
  return { id, userId };
}

/** What the client's cancel does: the guarded move to `canceled` and, optionally, the NOTIFY. */
export async function cancelJob(sql: Sql, jobId: string, { notify = true } = {}): Promise<void> {
  const rows = await sql(
    `WITH canceled AS (
       UPDATE jobs.jobs SET status = 'canceled', finished_at = now(), version = version + 1, updated_at = now()
       WHERE id = $1 AND status IN ('pending', 'queued', 'running') RETURNING id)
     SELECT ${notify ? `pg_notify('jobs_job_canceled', id::text)` : 'id'} FROM canceled`,
    [jobId],
  );
  if (rows.length !== 1) throw new Error(`job ${jobId} could not be canceled`);
}

export const reservation = (job: PendingJob, extra: { traceparent?: string } = {}) =>
  createEvent(CreditsReservedV1, {
    source: '/conveyor/billing',
    subject: job.id,
    data: { jobId: job.id, userId: job.userId, amount: 1, balance: 9, reservedAt: new Date().toISOString() },
    ...extra,
  });

export const rejection = (job: PendingJob) =>
  createEvent(CreditsRejectedV1, {
    source: '/conveyor/billing',
    subject: job.id,
    data: {
      jobId: job.id,
      userId: job.userId,
      reason: 'insufficient_credits',
      required: 1,
      balance: 0,
      rejectedAt: new Date().toISOString(),
    },
  });

export const planChange = (userId: string, plan: string, maxConcurrentJobs: number, revision: number) =>
  createEvent(AccountPlanChangedV1, {
    source: '/conveyor/billing',
    subject: userId,
    data: { userId, plan, maxConcurrentJobs, revision, changedAt: new Date().toISOString() },
  });

export interface JobState {
  status: string;
  attempts: number;
  reason: string | null;
  error_code: string | null;
  error_message: string | null;
  result: unknown;
  version: number;
  queued_at: Date | null;
  started_at: Date | null;
  finished_at: Date | null;
}

export async function jobState(sql: Sql, jobId: string): Promise<JobState> {
  const [row] = await sql<JobState>(
    `SELECT status, attempts, reason, error_code, error_message, result, version, queued_at, started_at, finished_at
     FROM jobs.jobs WHERE id = $1`,
    [jobId],
  );
  return row;
}

export const untilStatus = (sql: Sql, jobId: string, status: string, timeoutMs = 10_000) =>
  waitFor(async () => ((await jobState(sql, jobId)).status === status ? jobState(sql, jobId) : undefined), {
    description: `job ${jobId} to be ${status}`,
    timeoutMs,
  });

/** The events the service wrote about a job, in the order it wrote them. */
export async function outboxEvents(sql: Sql, jobId: string): Promise<Array<EventEnvelope & { data: Record<string, unknown> }>> {
  const rows = await sql<{ envelope: EventEnvelope & { data: Record<string, unknown> } }>(
    `SELECT envelope FROM jobs.outbox WHERE envelope->>'subject' = $1 ORDER BY seq`,
    [jobId],
  );
  return rows.map((row) => row.envelope);
}

export const eventTypes = async (sql: Sql, jobId: string) => (await outboxEvents(sql, jobId)).map((event) => event.type);

/** Waits until the service has applied the event (its inbox row committed). */
export const untilApplied = (sql: Sql, eventId: string) =>
  waitFor(async () => (await sql('SELECT 1 FROM jobs.inbox WHERE event_id = $1', [eventId])).length === 1, {
    description: `event ${eventId} to be applied`,
  });

/**
 * Samples how many jobs of each client are `running`, as often as the database answers (on
 * a connection of its own), until `stop()`; returns the highest count seen per client.
 */
export async function watchRunningJobs(adminUrl: string) {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  const highest = new Map<string, number>();
  let watching = true;
  const loop = (async () => {
    while (watching) {
      const { rows } = await client.query<{ user_id: string; running: number }>(
        `SELECT user_id, count(*)::int AS running FROM jobs.jobs WHERE status = 'running' GROUP BY user_id`,
      );
      for (const { user_id, running } of rows) highest.set(user_id, Math.max(highest.get(user_id) ?? 0, running));
    }
  })();
  return {
    async stop(): Promise<Map<string, number>> {
      watching = false;
      await loop.finally(() => client.end());
      return highest;
    },
  };
}

/**
 * The most jobs of one client that were ever `running` together, from their recorded
 * `started_at`/`finished_at`. Both are taken while the row is being written, and a claim only
 * counts a slot as free once the finish freeing it has committed, so a start never precedes
 * the finish whose slot it took: the intervals are exact enough for this check.
 */
export async function mostRunningAtOnce(sql: Sql, userId: string): Promise<number> {
  const rows = await sql<{ started_at: Date; finished_at: Date }>(
    `SELECT started_at, finished_at FROM jobs.jobs WHERE user_id = $1 AND started_at IS NOT NULL`,
    [userId],
  );
  // At equal times the end comes first: the slot was free again.
  const edges = rows
    .flatMap((row) => [
      { at: row.started_at.getTime(), delta: 1 },
      { at: row.finished_at.getTime(), delta: -1 },
    ])
    .sort((a, b) => a.at - b.at || a.delta - b.delta);
  let running = 0;
  let most = 0;
  for (const edge of edges) most = Math.max(most, (running += edge.delta));
  return most;
}

/** The order in which the service started a client's jobs (its started events). */
export async function startOrder(sql: Sql, userId: string): Promise<string[]> {
  const rows = await sql<{ job_id: string }>(
    `SELECT envelope->>'subject' AS job_id FROM jobs.outbox
     WHERE event_type = 'jobs.job.started.v1' AND envelope->'data'->>'userId' = $1 ORDER BY seq`,
    [userId],
  );
  return rows.map((row) => row.job_id);
}
