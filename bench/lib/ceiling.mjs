// The database ceiling: the job + outbox insert transaction of POST /v1/jobs, driven directly
// through pg at the same concurrency, against copies of the real tables (same columns, indexes
// and triggers: the status log row and both NOTIFYs) in a scratch schema, so the relay and the
// workers never see these rows.
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { summarize, TimeSeries } from './stats.mjs';

const SCHEMA = 'bench_ceiling';

export async function prepareCeiling(db) {
  await db.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await db.query(`CREATE SCHEMA ${SCHEMA}`);
  for (const table of ['jobs', 'outbox', 'job_status_log']) {
    await db.query(`CREATE TABLE ${SCHEMA}.${table} (LIKE jobs.${table} INCLUDING ALL)`);
    // LIKE copies serial defaults that still draw from the real table's sequence: give each its own.
    const { rows } = await db.query(
      `SELECT column_name FROM information_schema.columns
       WHERE table_schema = $1 AND table_name = $2 AND column_default LIKE 'nextval%'`,
      [SCHEMA, table],
    );
    for (const { column_name: column } of rows) {
      const sequence = `${SCHEMA}.${table}_${column}_seq`;
      await db.query(`CREATE SEQUENCE ${sequence}`);
      await db.query(`ALTER TABLE ${SCHEMA}.${table} ALTER COLUMN "${column}" SET DEFAULT nextval('${sequence}')`);
    }
  }
  await db.query(
    `CREATE FUNCTION ${SCHEMA}.log_job_status() RETURNS trigger LANGUAGE plpgsql AS $$
     DECLARE logged bigint;
     BEGIN
       IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status THEN
         INSERT INTO ${SCHEMA}.job_status_log (job_id, user_id, type, status)
         VALUES (NEW.id, NEW.user_id, NEW.type, NEW.status) RETURNING id INTO logged;
         PERFORM pg_notify('${SCHEMA}_status_changed', logged::text);
       END IF;
       RETURN NULL;
     END $$`,
  );
  await db.query(
    `CREATE TRIGGER jobs_log_status AFTER INSERT OR UPDATE OF status ON ${SCHEMA}.jobs
     FOR EACH ROW EXECUTE FUNCTION ${SCHEMA}.log_job_status()`,
  );
  await db.query(
    `CREATE FUNCTION ${SCHEMA}.outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN PERFORM pg_notify('${SCHEMA}_outbox', ''); RETURN NULL; END $$`,
  );
  await db.query(`CREATE TRIGGER outbox_notify AFTER INSERT ON ${SCHEMA}.outbox FOR EACH STATEMENT EXECUTE FUNCTION ${SCHEMA}.outbox_notify()`);
}

export async function dropCeiling(db) {
  await db.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
}

/** A submitted event of the size the jobs service writes. */
function envelope(jobId, userId, createdAt) {
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: 'conveyor/jobs',
    type: 'jobs.job.submitted.v1',
    time: createdAt,
    subject: jobId,
    datacontenttype: 'application/json',
    traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    data: { jobId, userId, type: 'echo', metadata: {}, webhookUrl: null, submittedAt: createdAt },
  };
}

/**
 * `concurrency` loops, each running the transaction back to back on a pool of `poolSize`
 * connections (the jobs service's pool is 10), for `seconds`.
 */
export async function runCeiling({ connectionString, concurrency, poolSize, seconds, userId, runStartMs }) {
  const pool = new pg.Pool({ connectionString, max: poolSize });
  const series = new TimeSeries(`DB ceiling ${concurrency}`);
  const latencies = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  async function loop() {
    while (performance.now() < end) {
      const t0 = performance.now();
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const id = randomUUID();
        const { rows } = await client.query(
          `INSERT INTO ${SCHEMA}.jobs (id, user_id, type, input, metadata, webhook_url, status, trace_context)
           VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7) RETURNING created_at`,
          [id, userId, 'echo', JSON.stringify({ bench: true }), '{}', null, '{}'],
        );
        const event = envelope(id, userId, rows[0].created_at.toISOString());
        await client.query(`INSERT INTO ${SCHEMA}.outbox (event_id, event_type, envelope, trace_context) VALUES ($1, $2, $3, $4)`, [
          event.id,
          event.type,
          JSON.stringify(event),
          '{}',
        ]);
        await client.query('COMMIT');
        const latency = performance.now() - t0;
        latencies.push(latency);
        series.add(Date.now() - runStartMs, latency);
      } catch {
        errors++;
        await client.query('ROLLBACK').catch(() => undefined);
      } finally {
        client.release();
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, loop));
  const elapsed = (performance.now() - started) / 1000;
  await pool.end();
  const s = summarize(latencies);
  return {
    phase: 'DB ceiling (job + outbox insert transaction)',
    connections: concurrency,
    poolSize,
    transactions: latencies.length,
    transactionsPerSecond: Math.round(latencies.length / elapsed),
    latencyMs: { p50: s.p50, p90: s.p90, p99: s.p99, max: s.max },
    errors,
    series: series.points(),
  };
}
