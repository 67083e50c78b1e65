#!/usr/bin/env node
// `npm run bench` (about 10 minutes) and `npm run bench -- --quick` (about a minute once the
// platform is up): starts the platform as `npm start` does, or uses a running one
// (`--running`), creates its own clients and measures POST and GET /v1/jobs, end-to-end
// latency to a signed webhook at fixed rates, the event hop against the raw broker round trip,
// the database ceiling of the submit transaction, and every service's RSS and CPU. Writes
// bench/results/<timestamp>.json and bench/results/latest.md (+ latest.svg). Exits non-zero
// only when the run itself broke (errors, lost jobs), never because a figure missed its target.
// See bench/README.md for the options.
import { mkdirSync, readdirSync, renameSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { adminClient, createClient } from './lib/clients.mjs';
import { prepareCeiling, runCeiling, dropCeiling } from './lib/ceiling.mjs';
import { runRate, submitter, WebhookReceiver } from './lib/e2e.mjs';
import { brokerRoundTrip, eventHops } from './lib/hop.mjs';
import { getJobs, postJobs } from './lib/http-load.mjs';
import { benchEnvironment, dropDatabase, pidsByPort, SERVICES, servicePids, startPlatform, urlsFor } from './lib/platform.mjs';
import { ProcessSampler } from './lib/procstats.mjs';
import { resetStatements, topStatements } from './lib/statements.mjs';
import { sampleActivity } from './lib/pg-activity.mjs';
import { summarizeProfile } from './lib/profile.mjs';
import { writeReports } from './lib/report.mjs';
import { sleep, summarize } from './lib/stats.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    running: { type: 'boolean', default: false },
    'port-base': { type: 'string', default: '3000' },
    database: { type: 'string' },
    namespace: { type: 'string' },
    'keep-database': { type: 'boolean', default: false },
    clients: { type: 'string', default: '8' },
    'worker-concurrency': { type: 'string', default: '32' },
    rates: { type: 'string' },
    'rate-seconds': { type: 'string' },
    'http-seconds': { type: 'string' },
    connections: { type: 'string', default: '50,200' },
    'db-pool': { type: 'string', default: '10' },
    phases: { type: 'string', default: 'e2e,hop,get,ceiling,post' },
    profile: { type: 'boolean', default: false },
    'results-dir': { type: 'string' },
    'url-jobs': { type: 'string' },
    'url-auth': { type: 'string' },
    'url-user': { type: 'string' },
    'url-billing': { type: 'string' },
    'url-webhook-delivery': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log('usage: npm run bench -- [--quick] [--running] [--port-base 3000] [--phases e2e,hop,get,ceiling,post] [--profile] … (see bench/README.md)');
  process.exit(0);
}

const quick = args.quick;
const resultsDir = resolve(args['results-dir'] ?? join(root, 'bench/results'));
const plan = {
  // 10 jobs/s first: the pipeline's own latency (and the event hop) on a machine it does not fill.
  rates: (args.rates ?? (quick ? '10,50,100,200' : '10,50,100,200,300,400')).split(',').map(Number),
  rateSeconds: Number(args['rate-seconds'] ?? (quick ? 6 : 60)),
  drainSeconds: quick ? 5 : 30,
  httpSeconds: Number(args['http-seconds'] ?? (quick ? 5 : 30)),
  ceilingSeconds: quick ? 3 : 15,
  roundTrips: quick ? 200 : 1000,
  idleWaitSeconds: quick ? 3 : 120,
  connections: args.connections.split(',').map(Number),
};
const phases = new Set(args.phases.split(','));
const portBase = Number(args['port-base']);
const database = args.database ?? (args.running ? process.env.DATABASE_NAME || 'conveyor' : 'conveyor_bench');
const namespace = args.namespace ?? (args.running ? process.env.AMQP_NAMESPACE || '' : 'bench');
const adminUrl = process.env.DATABASE_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const dbUrl = (() => {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
})();
const amqpUrl = process.env.AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672';
const admin = {
  email: process.env.SEED_ADMIN_EMAIL ?? process.env.ADMIN_EMAIL ?? 'admin@conveyor.local',
  password: process.env.SEED_ADMIN_PASSWORD ?? 'conveyor-admin-password',
};
const urls = urlsFor(portBase, Object.fromEntries(SERVICES.map((s) => [s.name, args[`url-${s.name}`]]).filter(([, v]) => v)));

const startedAt = new Date().toISOString();
const runStartMs = Date.now();
const runId = startedAt.replace(/\D/g, '').slice(0, 14);
const say = (message) => console.log(`[bench ${((Date.now() - runStartMs) / 1000).toFixed(1).padStart(6)} s] ${message}`);

const report = {
  startedAt,
  mode: quick ? 'quick' : 'full',
  machine: { cpus: cpus().length, node: process.version, loadAverageAtStart: loadavg().map((n) => Math.round(n * 100) / 100) },
  platform: { mode: args.running ? 'already running' : 'started by the bench (infrastructure/local/start.mjs)', urls, database, namespace },
  plan,
  broken: [],
};

mkdirSync(resultsDir, { recursive: true });
const logsDir = join(resultsDir, 'logs');
mkdirSync(logsDir, { recursive: true });
const profileDir = join(resultsDir, 'profiles', runId);

let platform;
let sampler;
let db;
let activityDb;
let receiver;
let exitCode = 0;
try {
  if (!args.running) {
    report.platform.workerConcurrency = Number(args['worker-concurrency']);
    if (!args['keep-database']) {
      say(`dropping the bench database ${database} for a clean run`);
      await dropDatabase(adminUrl, database);
      await deleteBenchQueues();
    }
    const env = benchEnvironment({ portBase, database, namespace, workerConcurrency: Number(args['worker-concurrency']) });
    if (args.profile) Object.assign(env, { BENCH_PROFILE_SERVICE: 'jobs', BENCH_PROFILE_DIR: profileDir });
    report.platform.environment = env;
    if (args.profile) mkdirSync(profileDir, { recursive: true });
    say(`starting the platform (start.mjs; log in bench/results/logs/platform-${runId}.log)`);
    platform = await startPlatform({
      root,
      env,
      urls,
      logFile: join(logsDir, `platform-${runId}.log`),
      nodeOptions: args.profile ? `--require ${join(root, 'bench/lib/cpu-profile-preload.cjs')}` : undefined,
      log: say,
    });
    say('platform ready');
  }
  const pids = platform ? servicePids(platform.child.pid) : await pidsByPort(urls);
  say(`service processes: ${JSON.stringify(pids)}`);
  sampler = new ProcessSampler(pids);
  sampler.start();

  db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  activityDb = new pg.Client({ connectionString: dbUrl, application_name: 'bench-activity' });
  await activityDb.connect();

  say(`creating ${args.clients} clients (pro plan, credits, API keys)`);
  const adminSdk = await adminClient(urls, admin);
  const clientCount = Number(args.clients);
  const clients = await Promise.all(
    Array.from({ length: clientCount + 1 }, (_, i) =>
      createClient({ urls, admin: adminSdk, email: `bench-${runId}-${i}@bench.conveyor.local`, credits: 2_000_000, db }),
    ),
  );
  const postClient = clients.pop(); // POST phases use their own client, so e2e clients' queues stay short
  report.clients = clientCount;
  report.benchCpuPercentByPhase = {};
  const phase = async (name, work) => {
    const start = Date.now();
    const cpu = process.cpuUsage();
    say(`${name}…`);
    try {
      return await work();
    } finally {
      sampler.phase(name, start, Date.now());
      // The load generator shares the machine: how much of it this process used.
      const used = process.cpuUsage(cpu);
      report.benchCpuPercentByPhase[name] = Math.round((used.user + used.system) / 10 / Math.max(1, Date.now() - start));
    }
  };

  const e2eJobs = [];
  const hopJobIdsByRate = {};
  if (phases.has('e2e')) {
    receiver = new WebhookReceiver(clients);
    await receiver.start();
    const submitters = clients.map((client) => submitter(urls, client));
    say(`webhook receiver on port ${receiver.port}; warming up`);
    await runRate({ submitters, receiver, rate: 20, seconds: 1, drainSeconds: 15, runStartMs });
    const countingStatements = await resetStatements(db);
    report.endToEnd = [];
    report.endToEndSkipped = [];
    for (const rate of plan.rates) {
      // Above 100 jobs/s (the rate with a latency target of its own), a rate follows only one
      // that was sustained.
      if (rate > 100 && report.endToEnd.length && !report.endToEnd[report.endToEnd.length - 1].sustained) {
        report.endToEndSkipped.push(rate);
        continue;
      }
      if (args.profile) process.kill(pids.jobs, 'SIGUSR2');
      const { result, jobs } = await phase(`e2e ${rate}/s`, () =>
        runRate({ submitters, receiver, rate, seconds: plan.rateSeconds, drainSeconds: plan.drainSeconds, runStartMs, log: say }),
      );
      if (args.profile) result.profile = await collectProfile(pids.jobs, `jobs-e2e-${rate}`);
      result.stagesMs = await e2eStages(jobs);
      report.endToEnd.push(result);
      e2eJobs.push(...jobs);
      hopJobIdsByRate[rate] = jobs.map((j) => j.id);
      // Its late jobs would load the next rate: let them land first (bounded, see below).
      if (!result.sustained) await waitForWebhooks(jobs, quick ? 30_000 : 180_000);
      const refused = result.submitted - result.accepted;
      if (refused > 0) report.broken.push(`${refused} end-to-end submissions at ${rate}/s were not accepted (${JSON.stringify(result.statusCodes)})`);
    }
    const sustained = report.endToEnd.filter((e) => e.sustained).map((e) => e.rate);
    report.endToEndSustainedRate = sustained.length ? Math.max(...sustained) : null;
    report.statements = countingStatements ? await topStatements(db, e2eJobs.length) : { unavailable: 'pg_stat_statements is not loaded (shared_preload_libraries)' };
    // A rate that was not sustained leaves jobs on their way; let them land before the next
    // phases, so those measure an idle pipeline (bounded: the final check counts what is left).
    const left = await waitForWebhooks(e2eJobs, quick ? 30_000 : 180_000);
    if (left > 0) say(`${left} end-to-end jobs still on their way; going on`);
  }

  if (phases.has('hop')) {
    if (e2eJobs.length) {
      report.eventHop = await eventHops(db, e2eJobs.map((j) => j.id));
      report.eventHopByRate = {};
      for (const [rate, ids] of Object.entries(hopJobIdsByRate)) report.eventHopByRate[rate] = (await eventHops(db, ids)).combined;
    }
    report.brokerRoundTrip = await phase('broker round trip', () => brokerRoundTrip({ amqpUrl, namespace, count: plan.roundTrips }));
    say(`event hop p50 ${report.eventHop?.combined.p50} ms p99 ${report.eventHop?.combined.p99} ms; raw round trip p50 ${report.brokerRoundTrip.roundTripMs.p50} ms`);
  }

  if (phases.has('get')) {
    const owner = clients[0];
    let ids = e2eJobs.filter((j) => j.client === 0).map((j) => j.id);
    if (ids.length === 0) ids = await submitSome(owner, 200);
    report.get = [];
    for (const connections of plan.connections) {
      const before = await dbCounters();
      const stopActivity = sampleActivity(activityDb);
      if (args.profile) process.kill(pids.jobs, 'SIGUSR2');
      const result = await phase(`GET ${connections}c`, () => getJobs({ url: urls.jobs, apiKey: owner.apiKey, ids, connections, seconds: plan.httpSeconds, runStartMs }));
      if (args.profile) result.profile = await collectProfile(pids.jobs, `jobs-GET-${connections}c`);
      result.database = dbDelta(before, await dbCounters(), result.requests);
      result.database.activity = await stopActivity();
      say(`GET ${connections}c: ${result.requestsPerSecond} req/s, p99 ${result.latencyMs.p99} ms, ${JSON.stringify(result.statusCodes)}`);
      report.get.push(result);
      checkHttp(result);
    }
  }

  if (phases.has('ceiling')) {
    await prepareCeiling(db);
    report.ceiling = [];
    for (const connections of plan.connections) {
      const result = await phase(`DB ceiling ${connections}`, () =>
        runCeiling({ connectionString: dbUrl, concurrency: connections, poolSize: Number(args['db-pool']), seconds: plan.ceilingSeconds, userId: postClient.userId, runStartMs }),
      );
      say(`DB ceiling ${connections}: ${result.transactionsPerSecond} tx/s, p99 ${result.latencyMs.p99} ms`);
      report.ceiling.push(result);
      if (result.errors > 0) report.broken.push(`${result.errors} failed ceiling transactions`);
    }
    await dropCeiling(db);
  }

  if (phases.has('post')) {
    report.post = [];
    for (const connections of plan.connections) {
      const backlog = await waitForIdle(postClient, plan.idleWaitSeconds);
      const before = await dbCounters();
      const stopActivity = sampleActivity(activityDb);
      if (args.profile) process.kill(pids.jobs, 'SIGUSR2');
      const result = await phase(`POST ${connections}c`, () =>
        postJobs({ url: urls.jobs, apiKey: postClient.apiKey, connections, seconds: plan.httpSeconds, runStartMs, runId }),
      );
      if (args.profile) result.profile = await collectProfile(pids.jobs, `jobs-POST-${connections}c`);
      result.database = dbDelta(before, await dbCounters(), result.requests);
      result.database.activity = await stopActivity();
      result.backlogAtStart = backlog;
      say(`POST ${connections}c: ${result.requestsPerSecond} req/s, p99 ${result.latencyMs.p99} ms, ${JSON.stringify(result.statusCodes)} (backlog at start ${backlog})`);
      report.post.push(result);
      checkHttp(result);
    }
  }

  if (receiver) {
    // Jobs of a rate that was not sustained may still be on their way: wait while webhooks keep coming.
    await waitForWebhooks(e2eJobs, 600_000);
    const missing = e2eJobs.filter((j) => !receiver.arrivals.has(j.id));
    report.webhooks = {
      verified: receiver.arrivals.size,
      badSignatures: receiver.badSignatures,
      duplicates: receiver.duplicates,
      otherEvents: receiver.otherEvents,
      lost: missing.length,
      lostStatuses: missing.length ? await statusesOf(missing.map((j) => j.id)) : {},
      notSucceeded: [...receiver.arrivals.values()].filter((a) => a.type !== 'jobs.job.succeeded.v1').length,
    };
    if (missing.length) report.broken.push(`${missing.length} end-to-end jobs never reached the webhook receiver`);
    if (receiver.badSignatures) report.broken.push(`${receiver.badSignatures} webhooks failed signature verification`);
    if (report.webhooks.notSucceeded) report.broken.push(`${report.webhooks.notSucceeded} end-to-end jobs did not succeed`);
  }
} catch (error) {
  report.broken.push(`the run failed: ${error.stack ?? error}`);
  console.error(error);
} finally {
  sampler?.stop();
  report.processes = sampler?.summary();
  report.machineCpuByPhase = sampler?.machineSummary();
  report.machine.loadAverageAtEnd = loadavg().map((n) => Math.round(n * 100) / 100);
  await receiver?.stop().catch(() => undefined);
  await db?.end().catch(() => undefined);
  await activityDb?.end().catch(() => undefined);
  if (platform) {
    say('stopping the platform');
    await platform.stop();
  }
  const { jsonPath, mdPath } = writeReports(resultsDir, report);
  say(`wrote ${jsonPath} and ${mdPath}`);
  if (report.broken.length) {
    exitCode = 1;
    say(`the run broke: ${report.broken.join('; ')}`);
  }
}
process.exit(exitCode);

function checkHttp(result) {
  const bad = Object.entries(result.statusCodes)
    .filter(([code]) => !code.startsWith('2'))
    .map(([code, n]) => `${n}× ${code}`);
  if (bad.length || result.errors || result.timeouts) {
    report.broken.push(`${result.phase} at ${result.connections} connections: ${[...bad, `${result.errors} errors`, `${result.timeouts} timeouts`].join(', ')}`);
  }
}

/** Stops the jobs profiler (second SIGUSR2), waits for its file and summarises its top frames. */
async function collectProfile(pid, name) {
  process.kill(pid, 'SIGUSR2');
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const file = readdirSync(profileDir).find((f) => f.startsWith(`jobs-${pid}-`));
    if (file) {
      await sleep(500); // let the write finish
      renameSync(join(profileDir, file), join(profileDir, `${name}.cpuprofile`));
      const path = join('bench/results/profiles', runId, `${name}.cpuprofile`);
      say(`CPU profile of jobs: ${path}`);
      return { file: path, top: summarizeProfile(join(profileDir, `${name}.cpuprofile`), 30) };
    }
    await sleep(200);
  }
  return { error: 'no profile was written' };
}

async function submitSome(client, n) {
  const ids = [];
  for (let i = 0; i < n; i++) ids.push((await client.sdk.jobs.submit({ type: 'echo', input: { i } })).id);
  return ids;
}

/**
 * Waits until every job has its webhook, while they keep coming (at most `quietMs` without a new
 * one) and at most `maxMs` in all; returns how many are still missing.
 */
async function waitForWebhooks(jobs, maxMs) {
  const quietMs = quick ? 10_000 : 30_000;
  const deadline = Date.now() + maxMs;
  let missing = jobs.filter((j) => !receiver.arrivals.has(j.id)).length;
  let lastProgress = Date.now();
  while (missing > 0 && Date.now() - lastProgress < quietMs && Date.now() < deadline) {
    await sleep(500);
    const now = jobs.filter((j) => !receiver.arrivals.has(j.id)).length;
    if (now < missing) lastProgress = Date.now();
    missing = now;
  }
  return missing;
}

/** Waits (at most `seconds`) until the client has no unfinished jobs; returns how many were left. */
async function waitForIdle(client, seconds) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM jobs.jobs WHERE user_id = $1 AND status IN ('pending', 'queued', 'running')`, [client.userId]);
    if (rows[0].n === 0 || Date.now() > deadline) return rows[0].n;
    await sleep(1000);
  }
}

/**
 * Where an end-to-end job's time went, from the job's own timestamps and the webhook's arrival:
 * billing's answer (submitted → queued: two event hops), waiting for a worker's claim, the run,
 * and the way out (finished → webhook: relay, hop to webhook-delivery, the HTTP call).
 */
async function e2eStages(jobs) {
  const { rows } = await db.query(
    `SELECT id, extract(epoch FROM created_at) * 1000 AS created, extract(epoch FROM queued_at) * 1000 AS queued,
            extract(epoch FROM started_at) * 1000 AS started, extract(epoch FROM finished_at) * 1000 AS finished
     FROM jobs.jobs WHERE id = ANY($1::uuid[])`,
    [jobs.map((j) => j.id)],
  );
  const sent = new Map(jobs.map((j) => [j.id, j.sentWall]));
  const stages = { 'sent → created': [], 'created → queued (billing)': [], 'queued → started (claim)': [], 'started → finished (run)': [], 'finished → webhook': [] };
  for (const r of rows) {
    const arrival = receiver.arrivals.get(r.id)?.wall;
    const points = [sent.get(r.id), Number(r.created), r.queued && Number(r.queued), r.started && Number(r.started), r.finished && Number(r.finished), arrival];
    Object.values(stages).forEach((list, i) => {
      if (points[i] && points[i + 1]) list.push(points[i + 1] - points[i]);
    });
  }
  return Object.fromEntries(Object.entries(stages).map(([name, list]) => {
    const s = summarize(list);
    return [name, { p50: s.p50, p99: s.p99 }];
  }));
}

/**
 * Counters of the bench database (commits; rows written and index/sequential scans per table of
 * the jobs schema) to divide by a phase's requests. Postgres 15 flushes a backend's counters
 * about once a second, so a phase's last second may be missing and the previous one's may leak in.
 */
async function dbCounters() {
  const { rows: [database] } = await db.query(
    `SELECT xact_commit::float8 AS commits, xact_rollback::float8 AS rollbacks FROM pg_stat_database WHERE datname = current_database()`,
  );
  const { rows: tables } = await db.query(
    `SELECT schemaname || '.' || relname AS name, n_tup_ins::float8 AS inserted, n_tup_upd::float8 AS updated, n_tup_del::float8 AS deleted,
            seq_scan::float8 AS "seqScans", coalesce(idx_scan, 0)::float8 AS "indexScans"
     FROM pg_stat_user_tables WHERE schemaname = 'jobs'`,
  );
  return { database, tables: Object.fromEntries(tables.map((t) => [t.name, t])) };
}

function dbDelta(before, after, requests) {
  const per = (a, b) => Math.round((100 * (a - b)) / Math.max(1, requests)) / 100;
  const tables = {};
  for (const [name, t] of Object.entries(after.tables)) {
    const b = before.tables[name] ?? {};
    const row = {};
    for (const key of ['inserted', 'updated', 'deleted', 'seqScans', 'indexScans']) {
      const v = per(t[key], b[key] ?? 0);
      if (v) row[key] = v;
    }
    if (Object.keys(row).length) tables[name] = row;
  }
  return {
    note: 'per request; commits count every service (all schemas share the database), tables only the jobs schema',
    commitsPerRequest: per(after.database.commits, before.database.commits),
    tablesPerRequest: tables,
  };
}

async function statusesOf(ids) {
  const { rows } = await db.query(`SELECT status, count(*)::int AS n FROM jobs.jobs WHERE id = ANY($1::uuid[]) GROUP BY status`, [ids]);
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/** Leftovers of an interrupted run in the bench's namespace would feed the fresh database old events. */
async function deleteBenchQueues() {
  if (!namespace) return;
  const { default: amqp } = await import('amqplib');
  const connection = await amqp.connect(amqpUrl);
  try {
    for (const { name } of SERVICES) {
      // The jobs service also has its work queue; the others have none, and deleting is a no-op.
      for (const queue of [`${namespace}.${name}.events`, `${namespace}.${name}.dead-letter`, `${namespace}.${name}.work`]) {
        const channel = await connection.createChannel();
        await channel.deleteQueue(queue).catch(() => undefined);
        await channel.close().catch(() => undefined);
      }
    }
  } finally {
    await connection.close().catch(() => undefined);
  }
}
