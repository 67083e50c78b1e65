// What the services asked Postgres to do during the end-to-end phases, from pg_stat_statements:
// the statements with the most time in total (lock waits included), per job. Postgres loads the
// extension only when it is in shared_preload_libraries; without it the report says so.

/** Starts counting from zero; false when pg_stat_statements is not loaded. */
export async function resetStatements(db) {
  try {
    await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await db.query('SELECT pg_stat_statements_reset()');
    return true;
  } catch {
    return false;
  }
}

/** The bench database's statements since the reset, by total time, with calls per job. */
export async function topStatements(db, jobs, limit = 20) {
  const { rows } = await db.query(
    `SELECT regexp_replace(query, '\\s+', ' ', 'g') AS query, calls::int, total_exec_time AS total_ms, rows::bigint AS rows
       FROM pg_stat_statements
      WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
      ORDER BY total_exec_time DESC`,
  );
  const per = (n) => Math.round((100 * n) / Math.max(1, jobs)) / 100;
  const round = (ms) => Math.round(ms * 10) / 10;
  return {
    jobs,
    statementsPerJob: per(rows.reduce((sum, r) => sum + r.calls, 0)),
    commitsPerJob: per(rows.filter((r) => r.query === 'COMMIT').reduce((sum, r) => sum + r.calls, 0)),
    top: rows.slice(0, limit).map((r) => ({
      query: r.query.length > 160 ? `${r.query.slice(0, 157)}…` : r.query,
      callsPerJob: per(r.calls),
      totalMs: round(r.total_ms),
      meanMs: round(r.total_ms / Math.max(1, r.calls)),
    })),
  };
}
