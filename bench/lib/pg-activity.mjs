// Samples pg_stat_activity of the bench database during a phase: how the services'
// connections spend their time (running, waiting on a lock, on the WAL flush, idle in a
// transaction, idle). Shows whether a phase waits on Postgres or on the services themselves.
import { sleep } from './stats.mjs';

export function sampleActivity(db, intervalMs = 200) {
  const counts = new Map();
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const { rows } = await db.query(
          `SELECT coalesce(nullif(application_name, ''), usename) AS app, state,
                  coalesce(wait_event_type || ':' || wait_event, 'cpu') AS wait, count(*)::int AS n
           FROM pg_stat_activity
           WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
           GROUP BY 1, 2, 3`,
        );
        samples++;
        for (const r of rows) {
          const key = `${r.app}|${r.state}|${r.state === 'active' ? r.wait : r.state === 'idle' ? '' : r.wait}`;
          counts.set(key, (counts.get(key) ?? 0) + r.n);
        }
      } catch {
        // the database is busy; skip this sample
      }
      await sleep(intervalMs);
    }
  })();
  return async function stop() {
    running = false;
    await loop;
    // Average number of connections in each (application, state, wait) over the phase.
    return [...counts.entries()]
      .map(([key, n]) => {
        const [app, state, wait] = key.split('|');
        return { app, state, wait, connections: Math.round((100 * n) / Math.max(1, samples)) / 100 };
      })
      .filter((r) => r.connections >= 0.05)
      .sort((a, b) => a.app.localeCompare(b.app) || b.connections - a.connections);
  };
}
