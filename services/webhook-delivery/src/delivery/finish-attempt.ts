import { createEvent, DeliveryExhaustedV1, DeliverySucceededV1, EndpointDisabledV1 } from '@conveyor/contracts';
import type { OutboxWriter } from '@conveyor/outbox';
import { queryRows } from '@conveyor/persistence';
import type { DataSource, EntityManager } from 'typeorm';
import { judgeAttempt, nextDelayMs, type AttemptVerdict } from './attempt-outcome';
import { failureOpensCircuit, type BreakerPolicy } from './circuit-breaker';
import type { ClaimedAttempt } from './claim-deliveries';
import type { AttemptRecord } from './send-attempt';

export const WEBHOOKS_SOURCE = '/conveyor/webhook-delivery';

export interface FinishPolicy {
  holder: string;
  schedule: readonly number[];
  jittered: (delayMs: number) => number;
  maxRetryAfterMs: number;
  breaker: BreakerPolicy & { windowSeconds: number; cooldownSeconds: number };
  disableAfterSeconds: number;
}

export type FinishOutcome = 'succeeded' | 'retrying' | 'exhausted' | 'lease-lost';

interface DeliveryAfter {
  status: string;
  attempts: number;
  next_attempt_at: Date;
}

/**
 * Records how an attempt ended, in one transaction: the attempt row, the delivery (succeeded,
 * due again, or exhausted), the endpoint's health and the events. A success is therefore
 * durable the moment it is recorded, and a worker killed before that leaves the delivery to be
 * retried. The write applies only while this worker still holds the delivery's lease at this
 * attempt; if another worker took it over meanwhile, nothing is written.
 *
 * The endpoint row is locked first, like the claim does, so the two never wait on each other
 * in opposite orders.
 */
export async function finishAttempt(
  dataSource: DataSource,
  outbox: OutboxWriter,
  attempt: ClaimedAttempt,
  record: AttemptRecord,
  policy: FinishPolicy,
): Promise<FinishOutcome> {
  const verdict = judgeAttempt(record.result, policy.maxRetryAfterMs);
  return dataSource.transaction(async (manager) => {
    await manager.query(`SELECT 1 FROM webhooks.endpoints WHERE id = $1 FOR NO KEY UPDATE`, [attempt.endpointId]);
    const delivery = await updateDelivery(manager, attempt, record, verdict, policy);
    if (!delivery) return 'lease-lost';
    const statusCode = record.result.kind === 'response' ? record.result.status : null;
    await manager.query(
      `UPDATE webhooks.attempts
          SET finished_at = now(), outcome = $3, status_code = $4, duration_ms = $5, response_body = $6, error = $7
        WHERE delivery_id = $1 AND number = $2`,
      [attempt.deliveryId, attempt.number, verdict.kind === 'succeeded' ? 'succeeded' : 'failed', statusCode, record.durationMs, record.responseBody, record.error],
    );
    const facts = {
      messageId: attempt.messageId,
      endpointId: attempt.endpointId,
      userId: attempt.userId,
      eventType: attempt.eventType,
      eventId: attempt.eventId,
      attempts: delivery.attempts,
    };
    const now = new Date().toISOString();
    if (verdict.kind === 'succeeded') {
      await recordSuccess(manager, attempt.endpointId);
      await outbox.add(
        createEvent(DeliverySucceededV1, {
          source: WEBHOOKS_SOURCE,
          subject: attempt.messageId,
          data: { ...facts, statusCode: statusCode ?? 200, succeededAt: now },
        }),
        manager,
      );
      return 'succeeded';
    }
    await recordFailure(manager, outbox, attempt.endpointId, verdict, policy);
    if (delivery.status === 'exhausted') {
      await outbox.add(
        createEvent(DeliveryExhaustedV1, {
          source: WEBHOOKS_SOURCE,
          subject: attempt.messageId,
          data: { ...facts, lastStatusCode: statusCode, lastError: record.error?.slice(0, 1000) ?? null, exhaustedAt: now },
        }),
        manager,
      );
      return 'exhausted';
    }
    return 'retrying';
  });
}

async function updateDelivery(
  manager: EntityManager,
  attempt: ClaimedAttempt,
  record: AttemptRecord,
  verdict: AttemptVerdict,
  policy: FinishPolicy,
): Promise<DeliveryAfter | undefined> {
  const statusCode = record.result.kind === 'response' ? record.result.status : null;
  const delayMs =
    verdict.kind === 'retry' ? nextDelayMs(policy.schedule, attempt.roundAttempts, verdict, policy.jittered) : undefined;
  const status = verdict.kind === 'succeeded' ? 'succeeded' : delayMs === undefined ? 'exhausted' : 'pending';
  const [row] = await queryRows<DeliveryAfter>(
    manager,
    `UPDATE webhooks.deliveries
        SET status = $4, last_status_code = $5, last_error = $6,
            next_attempt_at = CASE WHEN $4 = 'pending' THEN now() + make_interval(secs => $7::double precision / 1000) ELSE next_attempt_at END,
            finished_at = CASE WHEN $4 = 'pending' THEN NULL ELSE now() END,
            lease_holder = NULL, lease_expires_at = NULL, updated_at = now()
      WHERE id = $1 AND lease_holder = $2 AND attempts = $3 AND status = 'pending'
      RETURNING status, attempts, next_attempt_at`,
    [attempt.deliveryId, policy.holder, attempt.number, status, statusCode, record.error, delayMs ?? 0],
  );
  return row;
}

async function recordSuccess(manager: EntityManager, endpointId: string): Promise<void> {
  await manager.query(
    `UPDATE webhooks.endpoints
        SET consecutive_failures = 0, failing_since = NULL, circuit_state = 'closed', circuit_open_until = NULL, updated_at = now()
      WHERE id = $1`,
    [endpointId],
  );
}

/**
 * A failure counts against the endpoint: it may open the circuit (see failureOpensCircuit) and,
 * once the endpoint has failed without a success for `disableAfterSeconds`, or at once on 410,
 * the endpoint is disabled and `webhooks.endpoint.disabled.v1` is written.
 */
async function recordFailure(
  manager: EntityManager,
  outbox: OutboxWriter,
  endpointId: string,
  verdict: AttemptVerdict,
  { breaker, disableAfterSeconds }: FinishPolicy,
): Promise<void> {
  const [endpoint] = await queryRows<{
    user_id: string;
    url: string;
    circuit_state: 'closed' | 'open' | 'half_open';
    consecutive_failures: number;
    failing_since: Date;
    disabled_at: Date | null;
    failing_long: boolean;
  }>(
    manager,
    `UPDATE webhooks.endpoints
        SET consecutive_failures = consecutive_failures + 1, failing_since = coalesce(failing_since, now()), updated_at = now()
      WHERE id = $1
      RETURNING user_id, url, circuit_state, consecutive_failures, failing_since, disabled_at,
                failing_since <= now() - make_interval(secs => $2) AS failing_long`,
    [endpointId, disableAfterSeconds],
  );
  if (!endpoint) return;
  const [window] = await queryRows<{ finished: number; failed: number }>(
    manager,
    `SELECT count(*)::int AS finished, count(*) FILTER (WHERE outcome = 'failed')::int AS failed
       FROM webhooks.attempts
      WHERE endpoint_id = $1 AND started_at > now() - make_interval(secs => $2) AND outcome IN ('succeeded', 'failed')`,
    [endpointId, breaker.windowSeconds],
  );
  const opens = failureOpensCircuit(
    {
      circuit: endpoint.circuit_state,
      consecutiveFailures: endpoint.consecutive_failures,
      // This attempt's row is already marked failed in this transaction.
      windowAttempts: window?.finished ?? 1,
      windowFailures: window?.failed ?? 1,
    },
    breaker,
  );
  if (opens) {
    await manager.query(
      `UPDATE webhooks.endpoints SET circuit_state = 'open', circuit_open_until = now() + make_interval(secs => $2) WHERE id = $1`,
      [endpointId, breaker.cooldownSeconds],
    );
  }
  const reason = verdict.kind === 'gone' ? 'gone' : endpoint.failing_long ? 'failing' : undefined;
  if (!reason || endpoint.disabled_at) return;
  const [disabled] = await queryRows<{ disabled_at: Date }>(
    manager,
    `UPDATE webhooks.endpoints SET disabled_at = now(), disabled_reason = $2 WHERE id = $1 AND disabled_at IS NULL RETURNING disabled_at`,
    [endpointId, reason],
  );
  if (!disabled) return;
  await outbox.add(
    createEvent(EndpointDisabledV1, {
      source: WEBHOOKS_SOURCE,
      subject: endpointId,
      data: {
        endpointId,
        userId: endpoint.user_id,
        url: endpoint.url,
        reason,
        failingSince: endpoint.failing_since.toISOString(),
        disabledAt: disabled.disabled_at.toISOString(),
      },
    }),
    manager,
  );
}
