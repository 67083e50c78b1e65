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

/**
 * DDL of a service's record of failed deliveries, for the service's own migration: per consumer
 * and message, the first and the last error and how often it failed, so an operator looking at
 * a dead letter sees why it got there.
 */
export function consumerFailuresTableSql(schema: string): string[] {
  sqlIdentifier(schema);
  return [
    `CREATE TABLE "${schema}"."consumer_failures" (
       "consumer" text NOT NULL,
       "message_id" text NOT NULL,
       "event_type" text NOT NULL,
       "failures" integer NOT NULL,
       "first_error" text NOT NULL,
       "last_error" text NOT NULL,
       "first_failed_at" timestamptz NOT NULL DEFAULT now(),
       "last_failed_at" timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY ("consumer", "message_id"))`,
  ];
}

/**
 * Records that a delivery of `messageId` failed, outside any handler transaction (which has
 * rolled back). Best effort: the caller goes on if this write fails too.
 */
export async function recordConsumerFailure(
  db: { query(sql: string, parameters?: unknown[]): Promise<unknown> },
  schema: string,
  consumer: string,
  failure: { messageId: string; type: string; error: string },
): Promise<void> {
  sqlIdentifier(schema);
  const error = failure.error.slice(0, 2000);
  await db.query(
    `INSERT INTO "${schema}"."consumer_failures" (consumer, message_id, event_type, failures, first_error, last_error)
     VALUES ($1, $2, $3, 1, $4, $4)
     ON CONFLICT (consumer, message_id) DO UPDATE
       SET failures = consumer_failures.failures + 1, last_error = EXCLUDED.last_error, last_failed_at = now()`,
    [consumer, failure.messageId.slice(0, 200), failure.type.slice(0, 200), error],
  );
}
