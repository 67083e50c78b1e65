import { sqlIdentifier } from '@conveyor/persistence';

/** Name of the LISTEN/NOTIFY channel a schema's outbox signals on. */
export const outboxChannel = (schema: string) => `${sqlIdentifier(schema)}_outbox`;

/**
 * DDL of a service's outbox, for the service's own migration. `seq` gives the publish order;
 * `trace_context` carries the W3C context of the writer so the consumer continues its trace;
 * a statement trigger notifies the relay when a writing transaction commits.
 */
export function outboxTableSql(schema: string): string[] {
  const table = `"${sqlIdentifier(schema)}"."outbox"`;
  return [
    `CREATE TABLE ${table} (
       "seq" bigserial PRIMARY KEY,
       "event_id" uuid NOT NULL UNIQUE,
       "event_type" text NOT NULL,
       "envelope" jsonb NOT NULL,
       "trace_context" jsonb NOT NULL DEFAULT '{}',
       "created_at" timestamptz NOT NULL DEFAULT now(),
       "attempts" integer NOT NULL DEFAULT 0,
       "next_attempt_at" timestamptz NOT NULL DEFAULT now(),
       "last_error" text,
       "published_at" timestamptz)`,
    `CREATE INDEX "outbox_pending" ON ${table} ("seq") WHERE "published_at" IS NULL`,
    `CREATE INDEX "outbox_published_at" ON ${table} ("published_at") WHERE "published_at" IS NOT NULL`,
    `CREATE FUNCTION "${schema}"."outbox_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN PERFORM pg_notify('${outboxChannel(schema)}', ''); RETURN NULL; END $$`,
    `CREATE TRIGGER "outbox_notify" AFTER INSERT ON ${table}
     FOR EACH STATEMENT EXECUTE FUNCTION "${schema}"."outbox_notify"()`,
  ];
}
