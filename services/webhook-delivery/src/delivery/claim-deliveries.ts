import { createEvent, DeliveryExhaustedV1 } from '@conveyor/contracts';
import type { OutboxWriter } from '@conveyor/outbox';
import { queryRows } from '@conveyor/persistence';
import type { TraceCarrier } from '@conveyor/tracing';
import type { DataSource, EntityManager } from 'typeorm';
import { nextDelayMs } from './attempt-outcome';
import { WEBHOOKS_SOURCE } from './finish-attempt';

export interface ClaimLimits {
  /** Attempts this instance may still start now. */
  free: number;
  perEndpoint: number;
  leaseSeconds: number;
  holder: string;
  /** The retry schedule and its jitter, as finishAttempt uses them: a lost attempt waits like a failed one. */
  schedule: readonly number[];
  jittered: (delayMs: number) => number;
}

/** One claimed attempt: everything the sender needs except the secrets. */
export interface ClaimedAttempt {
  deliveryId: string;
  messageId: string;
  endpointId: string;
  userId: string;
  kind: 'subscription' | 'job_url';
  url: string;
  body: string;
  eventType: string;
  eventId: string | null;
  /** The trace the message was made in; the attempt continues it. */
  traceContext: TraceCarrier;
  /** This attempt's number among all of the delivery's attempts (1 for the first). */
  number: number;
  /** Attempts since the delivery was (re)queued, this one included: its place in the schedule. */
  roundAttempts: number;
  /** The endpoint's circuit was open; this attempt is its probe. */
  probe: boolean;
}

interface DueEndpoint {
  id: string;
  circuit_state: 'closed' | 'open' | 'half_open';
  rate_limit_per_second: number | null;
  ordered: boolean;
  in_flight: number;
  started_last_second: number;
}

const LOST_ERROR = 'The delivery worker did not record the outcome before its lease ran out; the attempt may have reached the endpoint.';

const DUE = `d.status = 'pending' AND d.next_attempt_at <= now() AND (d.lease_expires_at IS NULL OR d.lease_expires_at <= now())`;

/**
 * Claims due attempts in one transaction. Endpoints with due work are locked with SKIP LOCKED,
 * so each endpoint is claimed by one instance at a time while the instances share the
 * endpoints between them; under that lock its in-flight attempts (unexpired leases, any
 * instance) and the attempts started in the last second are counted, which keeps the
 * per-endpoint concurrency and rate limit exact across instances. An endpoint whose circuit is
 * open is skipped until its cool-down ends, then gets exactly one probe.
 *
 * A claimed delivery is leased; the attempt row is written now, so a worker killed mid-attempt
 * leaves an unfinished row that the next claim marks `lost` (that attempt may have reached the
 * receiver: at-least-once, and only where its answer was never recorded). A lost attempt counts
 * against the schedule like a failed one and waits as long: the claim already makes the delivery
 * due again only at lease expiry plus the schedule's next delay (finishAttempt overwrites that
 * when it records the outcome). If the lost attempt was the schedule's last, the next claim
 * exhausts the delivery instead of starting another attempt (see exhaustLost).
 */
export async function claimDueAttempts(dataSource: DataSource, outbox: OutboxWriter, limits: ClaimLimits): Promise<ClaimedAttempt[]> {
  if (limits.free <= 0) return [];
  // READ COMMITTED: each statement sees what committed before it started (see the counts below).
  return dataSource.transaction('READ COMMITTED', async (manager) => {
    // The load filter here only keeps busy endpoints from taking the places of others; it is
    // read before the locks are granted and may be stale.
    const locked = await queryRows<{ id: string }>(
      manager,
      `SELECT e.id
         FROM webhooks.endpoints e
        WHERE e.disabled_at IS NULL
          AND (e.circuit_state = 'closed' OR e.circuit_open_until IS NULL OR e.circuit_open_until <= now())
          AND EXISTS (SELECT 1 FROM webhooks.deliveries d WHERE d.endpoint_id = e.id AND ${DUE})
          AND (SELECT count(*) FROM webhooks.deliveries f
                WHERE f.endpoint_id = e.id AND f.status = 'pending' AND f.lease_expires_at > now()) < $1
        ORDER BY e.updated_at
        LIMIT 100
        FOR NO KEY UPDATE OF e SKIP LOCKED`,
      [limits.perEndpoint],
    );
    if (locked.length === 0) return [];
    // Counted in a statement of its own, after the locks were granted: its snapshot includes
    // every claim committed by an earlier holder of these locks, so the counts are exact.
    const endpoints = await queryRows<DueEndpoint>(
      manager,
      `SELECT e.id, e.circuit_state, e.rate_limit_per_second, e.ordered,
              (SELECT count(*)::int FROM webhooks.deliveries f
                WHERE f.endpoint_id = e.id AND f.status = 'pending' AND f.lease_expires_at > now()) AS in_flight,
              (SELECT count(*)::int FROM webhooks.attempts a
                WHERE a.endpoint_id = e.id AND a.started_at > now() - interval '1 second') AS started_last_second
         FROM webhooks.endpoints e
        WHERE e.id = ANY($1::uuid[])
        ORDER BY e.updated_at`,
      [locked.map((e) => e.id)],
    );
    const claimed: ClaimedAttempt[] = [];
    for (const endpoint of endpoints) {
      await exhaustLost(manager, outbox, endpoint.id, limits.schedule.length);
      const room = limits.free - claimed.length;
      if (room <= 0) break;
      const probe = endpoint.circuit_state !== 'closed';
      if (probe && endpoint.in_flight > 0) continue;
      const rateRoom = endpoint.rate_limit_per_second === null ? Infinity : endpoint.rate_limit_per_second - endpoint.started_last_second;
      const count = Math.min(room, limits.perEndpoint - endpoint.in_flight, rateRoom, probe ? 1 : Infinity);
      if (count <= 0) continue;
      const attempts = await claimForEndpoint(manager, endpoint, count, limits);
      if (probe && attempts.length > 0) {
        await manager.query(`UPDATE webhooks.endpoints SET circuit_state = 'half_open' WHERE id = $1`, [endpoint.id]);
      }
      claimed.push(...attempts.map((a) => ({ ...a, probe })));
    }
    return claimed;
  });
}

async function claimForEndpoint(
  manager: EntityManager,
  endpoint: DueEndpoint,
  count: number,
  { leaseSeconds, holder, schedule, jittered }: ClaimLimits,
): Promise<Omit<ClaimedAttempt, 'probe'>[]> {
  // Ordered endpoints: a delivery waits while an earlier one for its subject is still pending
  // (being retried, or in flight), so each subject's messages arrive in order.
  const ordered = endpoint.ordered
    ? `AND NOT EXISTS (SELECT 1 FROM webhooks.deliveries p
                        WHERE p.endpoint_id = d.endpoint_id AND p.subject = d.subject
                          AND p.status = 'pending' AND p.seq < d.seq)`
    : '';
  const rows = await queryRows<{
    id: string;
    message_id: string;
    attempts: number;
    round_attempts: number;
    user_id: string;
  }>(
    manager,
    `WITH picked AS (
       SELECT d.id FROM webhooks.deliveries d
        WHERE d.endpoint_id = $1 AND ${DUE} AND d.round_attempts < $5 ${ordered}
        ORDER BY d.next_attempt_at, d.seq
        LIMIT $2
        FOR UPDATE OF d SKIP LOCKED
     )
     UPDATE webhooks.deliveries d
        SET lease_holder = $3, lease_expires_at = now() + make_interval(secs => $4),
            attempts = d.attempts + 1, round_attempts = d.round_attempts + 1, updated_at = now()
       FROM picked WHERE d.id = picked.id
     RETURNING d.id, d.message_id, d.attempts, d.round_attempts, d.user_id`,
    [endpoint.id, count, holder, leaseSeconds, schedule.length],
  );
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  // If this attempt is lost, the delivery is due when a failure would have made it due: the
  // schedule's next delay after the lease runs out, or at once then when the schedule is used
  // up (the next claim exhausts it). Recording the outcome sets next_attempt_at anew.
  await manager.query(
    `UPDATE webhooks.deliveries d
        SET next_attempt_at = d.lease_expires_at + make_interval(secs => t.delay_ms / 1000)
       FROM unnest($1::uuid[], $2::double precision[]) AS t(id, delay_ms)
      WHERE d.id = t.id`,
    [ids, rows.map((r) => nextDelayMs(schedule, r.round_attempts, {}, jittered) ?? 0)],
  );
  await markLost(manager, ids);
  await manager.query(
    `INSERT INTO webhooks.attempts (delivery_id, endpoint_id, number, started_at)
     SELECT id, $2, number, now() FROM unnest($1::uuid[], $3::int[]) AS t(id, number)`,
    [ids, endpoint.id, rows.map((r) => r.attempts)],
  );
  const details = await queryRows<{
    id: string;
    kind: 'subscription' | 'job_url';
    url: string;
    body: string;
    event_type: string;
    event_id: string | null;
    trace_context: TraceCarrier;
  }>(
    manager,
    `SELECT d.id, e.kind, e.url, m.body, m.event_type, m.event_id, m.trace_context
       FROM webhooks.deliveries d
       JOIN webhooks.endpoints e ON e.id = d.endpoint_id
       JOIN webhooks.messages m ON m.id = d.message_id
      WHERE d.id = ANY($1::uuid[])`,
    [ids],
  );
  const byId = new Map(details.map((d) => [d.id, d]));
  return rows.map((row) => {
    const detail = byId.get(row.id);
    if (!detail) throw new Error(`Claimed delivery ${row.id} vanished`);
    return {
      deliveryId: row.id,
      messageId: row.message_id,
      endpointId: endpoint.id,
      userId: row.user_id,
      kind: detail.kind,
      url: detail.url,
      body: detail.body,
      eventType: detail.event_type,
      eventId: detail.event_id,
      traceContext: detail.trace_context,
      number: row.attempts,
      roundAttempts: row.round_attempts,
    };
  });
}

async function markLost(manager: EntityManager, deliveryIds: string[]): Promise<void> {
  await manager.query(
    `UPDATE webhooks.attempts SET finished_at = now(), outcome = 'lost', error = $2
      WHERE delivery_id = ANY($1::uuid[]) AND finished_at IS NULL`,
    [deliveryIds, LOST_ERROR],
  );
}

/**
 * The endpoint's due deliveries whose lost attempt was the schedule's last: the attempt is
 * marked `lost` and the delivery exhausted, with `webhooks.delivery.exhausted.v1`, as a failed
 * last attempt would have it (finishAttempt). Run under the endpoint's lock, like the claim.
 */
async function exhaustLost(manager: EntityManager, outbox: OutboxWriter, endpointId: string, scheduleLength: number): Promise<void> {
  const rows = await queryRows<{
    id: string;
    message_id: string;
    user_id: string;
    attempts: number;
    event_type: string;
    event_id: string | null;
    last_status_code: number | null;
    last_error: string | null;
    exhausted_at: Date;
  }>(
    manager,
    // `lost`: false only where the schedule was shortened since the last (recorded) attempt.
    `WITH used_up AS (
       SELECT d.id, EXISTS (SELECT 1 FROM webhooks.attempts a WHERE a.delivery_id = d.id AND a.finished_at IS NULL) AS lost
         FROM webhooks.deliveries d
        WHERE d.endpoint_id = $1 AND ${DUE} AND d.round_attempts >= $2
        FOR UPDATE OF d SKIP LOCKED
     )
     UPDATE webhooks.deliveries d
        SET status = 'exhausted', finished_at = now(),
            last_status_code = CASE WHEN used_up.lost THEN NULL ELSE d.last_status_code END,
            last_error = CASE WHEN used_up.lost THEN $3 ELSE d.last_error END,
            lease_holder = NULL, lease_expires_at = NULL, updated_at = now()
       FROM used_up, webhooks.messages m
      WHERE d.id = used_up.id AND m.id = d.message_id
     RETURNING d.id, d.message_id, d.user_id, d.attempts, m.event_type, m.event_id, d.last_status_code, d.last_error,
               d.finished_at AS exhausted_at`,
    [endpointId, scheduleLength, LOST_ERROR],
  );
  if (rows.length === 0) return;
  await markLost(manager, rows.map((r) => r.id));
  for (const row of rows) {
    await outbox.add(
      createEvent(DeliveryExhaustedV1, {
        source: WEBHOOKS_SOURCE,
        subject: row.message_id,
        data: {
          messageId: row.message_id,
          endpointId,
          userId: row.user_id,
          eventType: row.event_type,
          eventId: row.event_id,
          attempts: row.attempts,
          lastStatusCode: row.last_status_code,
          lastError: row.last_error?.slice(0, 1000) ?? null,
          exhaustedAt: row.exhausted_at.toISOString(),
        },
      }),
      manager,
    );
  }
}

/**
 * Hands a claimed delivery back without an outcome (the worker is stopping): due at once, for
 * any instance, and the attempt does not count against the schedule, as it did not fail. The
 * next claim marks the attempt `lost` (it may have reached the endpoint).
 */
export async function handBack(dataSource: DataSource, attempt: ClaimedAttempt, holder: string): Promise<void> {
  await dataSource.query(
    `UPDATE webhooks.deliveries
        SET lease_expires_at = now(), next_attempt_at = now(), round_attempts = round_attempts - 1, updated_at = now()
      WHERE id = $1 AND lease_holder = $2 AND attempts = $3 AND status = 'pending'`,
    [attempt.deliveryId, holder, attempt.number],
  );
}
