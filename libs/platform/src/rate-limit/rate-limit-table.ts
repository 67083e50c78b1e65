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

/**
 * Turns the WAL off (or back on) for a service's rate-limit table. The counters are bumped by
 * every request and matter for one window only: logged, each request waited for a disk flush;
 * unlogged, a crash restart empties the table, which only restarts the current windows at zero.
 */
export function rateLimitTableLoggingSql(schema: string, logging: 'LOGGED' | 'UNLOGGED'): string {
  return `ALTER TABLE "${schema}"."rate_limits" SET ${logging}`;
}
