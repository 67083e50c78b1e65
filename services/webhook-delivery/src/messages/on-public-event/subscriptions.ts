import { Injectable } from '@nestjs/common';
import { UserDeletedV1, type EventEnvelope } from '@conveyor/contracts';
import type { EventPrefilter } from '@conveyor/messaging';
import { DataSource, type EntityManager } from 'typeorm';
import { SUBSCRIBABLE_EVENTS, TERMINAL_JOB_EVENTS } from '../../endpoints/subscribable-events';

const TERMINAL = new Set<string>(TERMINAL_JOB_EVENTS);
/**
 * The events this service only turns into messages. A user's deletion is subscribable too, but
 * it also stops the user's webhooks (OnUserDeletedHandler), so it is never skipped.
 */
const MESSAGES_ONLY = new Set(SUBSCRIBABLE_EVENTS.filter((type) => type !== UserDeletedV1.type));

/** The owner's enabled endpoints subscribed to an event type (no types listed: the terminal job events). */
const SUBSCRIBED = `FROM webhooks.endpoints
  WHERE user_id = $1 AND kind = 'subscription' AND disabled_at IS NULL
    AND (CASE WHEN event_types IS NULL THEN $3 ELSE $2 = ANY(event_types) END)`;

export async function subscribedEndpointIds(manager: EntityManager, userId: string, type: string): Promise<string[]> {
  const rows = await manager.query<{ id: string }[]>(`SELECT id ${SUBSCRIBED}`, [userId, type, TERMINAL.has(type)]);
  return rows.map((row) => row.id);
}

export const isTerminalJobEvent = (type: string) => TERMINAL.has(type);

/**
 * Most job events concern no endpoint: clients usually hear only of a job's outcome. Such an
 * event is acked without a transaction when its owner has no endpoint subscribed to it and it
 * is not a terminal job event with a `webhookUrl` of its own. Every other event the service
 * consumes takes the normal path.
 */
@Injectable()
export class SubscriptionPrefilter implements EventPrefilter {
  constructor(private readonly dataSource: DataSource) {}

  async concerns(event: EventEnvelope): Promise<boolean> {
    if (!MESSAGES_ONLY.has(event.type)) return true;
    const data = event.data as { userId?: unknown; webhookUrl?: unknown };
    if (typeof data.userId !== 'string') return true;
    if (isTerminalJobEvent(event.type) && data.webhookUrl) return true;
    const [row] = await this.dataSource.query<{ subscribed: boolean }[]>(`SELECT EXISTS (SELECT 1 ${SUBSCRIBED}) AS subscribed`, [
      data.userId,
      event.type,
      isTerminalJobEvent(event.type),
    ]);
    return row.subscribed;
  }
}
