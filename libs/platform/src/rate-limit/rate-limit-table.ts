/**
 * The table a service's rate limits count in, in its own schema: one row per key and fixed
 * window, bumped by an atomic upsert, so every instance of the service shares the counts.
 */
export function rateLimitTableSql(schema: string): string[] {
  return [
    `CREATE TABLE "${schema}"."rate_limits" (
       "key" text NOT NULL,
       "window_start" timestamptz NOT NULL,
       "hits" integer NOT NULL,
       PRIMARY KEY ("key", "window_start"))`,
    `CREATE INDEX "rate_limits_by_window" ON "${schema}"."rate_limits" ("window_start")`,
  ];
}
