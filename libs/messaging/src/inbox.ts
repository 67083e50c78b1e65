import type { EntityManager } from 'typeorm';
import { sqlIdentifier } from '@conveyor/persistence';

export type InboxOutcome = 'NEW' | 'ALREADY_PROCESSED';

/** DDL of a service's inbox, for the service's own migration. */
export function inboxTableSql(schema: string): string[] {
  sqlIdentifier(schema);
  return [
    `CREATE TABLE "${schema}"."inbox" (
       "consumer" text NOT NULL,
       "event_id" uuid NOT NULL,
       "event_type" text NOT NULL,
       "processed_at" timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY ("consumer", "event_id"))`,
  ];
}

/**
 * Records that `consumer` is handling `eventId`, inside the handler's transaction. A second
 * delivery of the same event either finds the committed row, or waits on the first
 * delivery's uncommitted insert and then finds it: either way it sees ALREADY_PROCESSED.
 */
export async function recordInInbox(
  manager: EntityManager,
  schema: string,
  consumer: string,
  event: { id: string; type: string },
): Promise<InboxOutcome> {
  sqlIdentifier(schema);
  const rows: unknown[] = await manager.query(
    `INSERT INTO "${schema}"."inbox" (consumer, event_id, event_type) VALUES ($1, $2, $3)
     ON CONFLICT (consumer, event_id) DO NOTHING RETURNING 1`,
    [consumer, event.id, event.type],
  );
  return rows.length === 1 ? 'NEW' : 'ALREADY_PROCESSED';
}
