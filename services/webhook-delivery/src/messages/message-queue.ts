import { Injectable } from '@nestjs/common';
import { captureTraceContext } from '@conveyor/tracing';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';

/** Channel that wakes the delivery workers of every instance when a delivery is due now. */
export const DELIVERY_DUE_CHANNEL = 'webhooks_delivery_due';

export interface NewMessage {
  userId: string;
  /** The platform event it was made from; null for a test message. */
  eventId: string | null;
  eventType: string;
  /** What ordered endpoints keep in order (the job id for job events). */
  subject: string;
  /** When the event happened; the body's `timestamp`. */
  time: string;
  data: unknown;
  endpointIds: readonly string[];
}

/**
 * Turns an event into a message and one delivery per endpoint, in the caller's transaction.
 * The body is fixed here, once: every attempt sends the same bytes under the same
 * `webhook-id`, so a receiver can deduplicate on it. The active trace (the consumer's, which
 * continues the job's) is kept with the message, so each attempt's HTTP call joins it. The
 * subject's lock (lockSubject) is held until the caller commits.
 */
@Injectable()
export class MessageQueue {
  async enqueue(manager: EntityManager, message: NewMessage): Promise<string> {
    await lockSubject(manager, message.subject);
    const id = randomUUID();
    const body = JSON.stringify({ type: message.eventType, timestamp: message.time, data: message.data });
    await manager.query(
      `INSERT INTO webhooks.messages (id, user_id, event_id, event_type, subject, body, trace_context)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [id, message.userId, message.eventId, message.eventType, message.subject, body, JSON.stringify(captureTraceContext())],
    );
    await manager.query(
      `INSERT INTO webhooks.deliveries (id, message_id, endpoint_id, user_id, subject)
       SELECT gen_random_uuid(), $1, endpoint_id, $2, $3 FROM unnest($4::uuid[]) AS endpoint_id`,
      [id, message.userId, message.subject, message.endpointIds],
    );
    await manager.query(`SELECT pg_notify($1, '')`, [DELIVERY_DUE_CHANNEL]);
    return id;
  }
}

/**
 * Makes one subject's messages (a job's events) take their `seq` in commit order, until the
 * transaction ends: ordered endpoints send a subject's deliveries by `seq`, so a message must
 * not commit after a later one of its subject has been sent.
 */
export async function lockSubject(manager: EntityManager, subject: string): Promise<void> {
  await manager.query(`SELECT pg_advisory_xact_lock(hashtext('webhooks.subject'), hashtext($1))`, [subject]);
}

/** The `webhook-id` of a message: stable across its attempts and replays. */
export const webhookIdOf = (messageId: string) => `msg_${messageId.replace(/-/g, '')}`;
