type Sql = <T extends object = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<T[]>;

/**
 * Tables that change on refused requests by design (request counters, failed-login counts) or
 * by themselves in the background (the outbox relay marks and prunes rows).
 */
export const VOLATILE_TABLES = ['rate_limits', 'login_failures', 'outbox', 'migrations'];

/**
 * A checksum of every row of every table of `schema` (but `ignore`), keyed by table: equal
 * snapshots mean nothing was inserted, changed or deleted in between.
 */
export async function snapshotSchema(sql: Sql, schema: string, ignore: readonly string[] = VOLATILE_TABLES): Promise<Record<string, string>> {
  const tables = await sql<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY 1`,
    [schema],
  );
  const snapshot: Record<string, string> = {};
  for (const { name } of tables.filter((t) => !ignore.includes(t.name))) {
    const [row] = await sql<{ rows: string; sum: string }>(
      `SELECT count(*)::text AS rows, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS sum FROM "${schema}"."${name}" t`,
    );
    snapshot[name] = `${row?.rows} rows, ${row?.sum}`;
  }
  return snapshot;
}
