import { queryRows } from '@conveyor/persistence';
import type { TraceCarrier } from '@conveyor/tracing';
import type { DataSource, EntityManager } from 'typeorm';

export interface ClaimLimits {
  /** Attempts this instance may still start now. */
  free: number;
  perEndpoint: number;
  leaseSeconds: number;
  holder: string;
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
 * receiver: at-least-once, and only where its answer was never recorded).
 */
export async function claimDueAttempts(dataSource: DataSource, limits: ClaimLimits): Promise<ClaimedAttempt[]> {
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
  { leaseSeconds, holder }: ClaimLimits,
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
        WHERE d.endpoint_id = $1 AND ${DUE} ${ordered}
        ORDER BY d.next_attempt_at, d.seq
        LIMIT $2
        FOR UPDATE OF d SKIP LOCKED
     )
     UPDATE webhooks.deliveries d
        SET lease_holder = $3, lease_expires_at = now() + make_interval(secs => $4),
            attempts = d.attempts + 1, round_attempts = d.round_attempts + 1, updated_at = now()
       FROM picked WHERE d.id = picked.id
     RETURNING d.id, d.message_id, d.attempts, d.round_attempts, d.user_id`,
    [endpoint.id, count, holder, leaseSeconds],
  );
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  await manager.query(
    `UPDATE webhooks.attempts SET finished_at = now(), outcome = 'lost',
            error = 'The delivery worker stopped before it recorded the outcome; the attempt may have reached the endpoint.'
      WHERE delivery_id = ANY($1::uuid[]) AND finished_at IS NULL`,
    [ids],
  );
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
