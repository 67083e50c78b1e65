import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { prepareClients } from './clients';
import { Cluster } from './cluster';
import { runFaults } from './faults';
import { checkInvariants, type InvariantResult } from './invariants';
import { runLoad } from './load';
import { renderReport, sampleLoad } from './report';
import { registerUser } from './clients';
import { SYSTEM_TEST_ADMIN_EMAIL } from '../support/service-process';

/**
 * `npm run chaos [-- --quick] [--jobs N] [--clients N] [--minutes M] [--quiesce-minutes M] [--report file.md]`:
 * the platform as separate processes under a fault schedule, then the invariants. Exits 1
 * when any invariant fails. See README "Proof under fire".
 */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      jobs: { type: 'string' },
      clients: { type: 'string' },
      minutes: { type: 'string' },
      report: { type: 'string' },
      'quiesce-minutes': { type: 'string' },
      'log-level': { type: 'string', default: 'warn' },
    },
  });
  const quick = values.quick ?? false;
  const jobs = Number(values.jobs ?? (quick ? 300 : 10_000));
  const clientCount = Number(values.clients ?? (quick ? 3 : 4));
  // A full run paces its jobs at about 10 a second unless told otherwise.
  const durationMs = Number(values.minutes ?? (quick ? 2.5 : Math.max(5, jobs / 600))) * 60_000;
  const log = (line: string) => console.log(`[chaos] ${line}`);
  const logDir = mkdtempSync(join(tmpdir(), 'chaos-logs-'));
  const startedAt = new Date();
  const loadAverages: number[][] = [];
  const sampler = sampleLoad(loadAverages);

  log(`${quick ? 'quick' : 'full'} run: ${jobs} jobs from ${clientCount} clients over ${durationMs / 60_000} min; logs in ${logDir}`);
  const cluster = await Cluster.start({
    logDir,
    instancesPerService: 2,
    startTimeoutMs: 180_000,
    env: {
      LOG_LEVEL: values['log-level'],
      OUTBOX_POLL_INTERVAL_MS: '250',
      JOBS_ALLOW_HTTP_WEBHOOKS: 'true',
      JOBS_ALLOW_LOOPBACK_WEBHOOKS: 'true',
      WEBHOOKS_ALLOW_HTTP: 'true',
      WEBHOOKS_ALLOW_LOOPBACK: 'true',
      // A lost worker's jobs come back after a few seconds rather than half a minute.
      JOB_LEASE_SECONDS: '6',
      JOB_RETRY_BASE_DELAY_MS: '200',
      JOB_RETRY_MAX_DELAY_MS: '2000',
      WORKER_CONCURRENCY: '8',
      PENDING_JOB_TIMEOUT_SECONDS: '600',
      // Retries close together and many of them, so a receiver's outage of tens of seconds
      // (and the breaker's pauses) never exhausts a delivery; the breaker probes quickly.
      WEBHOOK_RETRY_SCHEDULE: '0,1s,2s,4s,8s,15s,30s,30s,30s,30s,30s,30s,30s,30s,60s,60s,60s,60s',
      WEBHOOK_RETRY_JITTER: '0.2',
      WEBHOOK_REQUEST_TIMEOUT_MS: '3000',
      WEBHOOK_LEASE_SECONDS: '5',
      WEBHOOK_BREAKER_COOLDOWN_SECONDS: '5',
      WEBHOOK_POLL_INTERVAL_MS: '500',
      SHUTDOWN_TIMEOUT_MS: '5000',
    },
  });
  // Ctrl-C (or a CI timeout's SIGTERM) still stops the processes and throwaway servers.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping the platform`);
      void cluster.stop().finally(() => process.exit(130));
    });
  }
  let exitCode = 1;
  try {
    const clients = await prepareClients(cluster, clientCount, jobs * 10);
    const setupSeconds = Math.round((Date.now() - startedAt.getTime()) / 1000);
    log(`platform of ${cluster.instances.length} processes ready after ${setupSeconds}s; load and faults start`);

    const loadStarted = Date.now();
    const [load, faults] = await Promise.all([
      runLoad(cluster, clients, { jobs, durationMs, inFlightPerClient: 8 }, log),
      runFaults(
        cluster,
        clients.map((client) => client.receiver),
        { durationMs, killEveryMs: quick ? 3_000 : 6_000, killsPerService: 2, receiverTroubleMs: quick ? 20_000 : 30_000, infraDownMs: 5_000 },
        log,
      ),
    ]);
    const loadSeconds = Math.round((Date.now() - loadStarted) / 1000);
    log(`load done: ${load.submitted.length} jobs acknowledged, ${load.failures.length} given up; ${faults.length} faults; waiting for quiescence`);

    // Quiescence: the invariants are checked until they all hold or the time is up, so a slow
    // but correct platform passes and a stuck one is reported with what is stuck.
    const quiesceStarted = Date.now();
    const quiesceLimitMs = Number(values['quiesce-minutes'] ?? (quick ? 2.5 : 15)) * 60_000;
    let invariants: InvariantResult[] = [];
    for (;;) {
      // A fresh admin token each time: a long run outlives the first one (ACCESS_TOKEN_TTL_SECONDS).
      const admin = await registerUser(cluster, SYSTEM_TEST_ADMIN_EMAIL);
      invariants = await checkInvariants(cluster, clients, load.submitted, admin.token);
      if (invariants.every((invariant) => invariant.ok) || Date.now() - quiesceStarted > quiesceLimitMs) break;
      log(`not quiet yet: ${invariants.filter((i) => !i.ok).map((i) => `${i.name.split(':')[0]} (${i.details.length})`).join('; ')}`);
      await new Promise((resolve) => setTimeout(resolve, 5_000));
    }
    const quiesced = invariants.every((invariant) => invariant.ok);
    const report = renderReport({
      mode: quick ? 'quick' : `full, ${jobs} jobs`,
      startedAt,
      setupSeconds,
      loadSeconds,
      quiescenceSeconds: Math.round((Date.now() - quiesceStarted) / 1000),
      quiesced,
      clients: clientCount,
      load,
      faults,
      invariants,
      loadAverages,
      logDir,
    });
    console.log(`\n${report}`);
    if (values.report) writeFileSync(resolve(values.report), report);
    await Promise.all(clients.map((client) => client.receiver.close()));
    exitCode = quiesced ? 0 : 1;
  } finally {
    clearInterval(sampler);
    await cluster.stop().catch((error) => log(`stopping the cluster: ${String(error)}`));
  }
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error('[chaos] the run itself failed:', error);
    process.exit(2);
  },
);
