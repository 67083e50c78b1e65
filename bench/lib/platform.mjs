// Starts the platform the way `npm start` does (by spawning infrastructure/local/start.mjs with
// the bench's environment), waits for every service's /health/ready, finds the service
// processes, and stops it all again. Or describes a platform that is already running.
import { spawn } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { resolve } from 'node:path';
import pg from 'pg';
import { sleep } from './stats.mjs';

export const SERVICES = [
  { name: 'jobs', port: 3000 },
  { name: 'auth', port: 3001 },
  { name: 'user', port: 3002 },
  { name: 'billing', port: 3003 },
  { name: 'webhook-delivery', port: 3004 },
];

const envName = (name, suffix) => `${name.toUpperCase().replace('-', '_')}_${suffix}`;

/** The variables the bench runs the services with (README: rate limits high, loopback webhooks). */
export function benchEnvironment({ portBase, database, namespace, workerConcurrency }) {
  const env = {
    DATABASE_NAME: database,
    AMQP_NAMESPACE: namespace,
    // One IP sends everything: the budget must never be the limit, but it is still counted.
    RATE_LIMIT_REQUESTS: '1000000', // the most the config accepts: 16,000 req/s per caller over the 60 s window
    LOG_LEVEL: 'warn',
    WEBHOOKS_ALLOW_HTTP: 'true',
    WEBHOOKS_ALLOW_LOOPBACK: 'true',
    JOBS_ALLOW_HTTP_WEBHOOKS: 'true',
    JOBS_ALLOW_LOOPBACK_WEBHOOKS: 'true',
    WORKER_CONCURRENCY: String(workerConcurrency),
    // Only the set-up registers and logs in (no measured phase does): cheap hashes keep it short.
    BCRYPT_ROUNDS: '4',
    NX_DAEMON: 'false',
  };
  for (const [i, service] of SERVICES.entries()) env[envName(service.name, 'HTTP_PORT')] = String(portBase + i);
  // start.mjs also starts the web console: on the port after the services', not its default 3005.
  env.CONSOLE_HTTP_PORT = String(portBase + SERVICES.length);
  return env;
}

export function urlsFor(portBase, overrides = {}) {
  const urls = {};
  for (const [i, service] of SERVICES.entries()) urls[service.name] = overrides[service.name] ?? `http://127.0.0.1:${portBase + i}`;
  return urls;
}

function portInUse(port) {
  return new Promise((done) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), done(true)));
    socket.once('error', () => done(false));
  });
}

/** Drops the bench's own database so every run starts from empty tables (never the dev one). */
export async function dropDatabase(adminUrl, database) {
  if (database === 'conveyor') throw new Error('refusing to drop the development database "conveyor"; pass --database');
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(database)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/**
 * Spawns start.mjs; resolves once every service answers /health/ready with 200. Its output goes
 * to `logFile`. Rejects if start.mjs exits first or readiness takes longer than `timeoutMs`.
 */
export async function startPlatform({ root, env, urls, logFile, timeoutMs = 600_000, nodeOptions, log }) {
  for (const [name, url] of Object.entries(urls)) {
    if (await portInUse(Number(new URL(url).port))) throw new Error(`port of ${name} (${url}) is already in use; stop it or pass --port-base`);
  }
  const out = createWriteStream(logFile);
  const childEnv = { ...process.env, ...env };
  // start.mjs passes its environment on to every process it starts, so NODE_OPTIONS (--profile's
  // --cpu-prof) reaches the services, and also the build and migrations: their profiles are ignored.
  const child = spawn(process.execPath, [resolve(root, 'infrastructure/local/start.mjs')], {
    cwd: root,
    env: nodeOptions ? { ...childEnv, NODE_OPTIONS: nodeOptions } : childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(out, { end: false });
  child.stderr.pipe(out, { end: false });
  let exited = null;
  child.on('exit', (code, signal) => (exited = signal ?? code));

  const deadline = Date.now() + timeoutMs;
  const pending = new Set(Object.keys(urls));
  let lastNote = 0;
  while (pending.size > 0) {
    if (exited !== null) throw new Error(`start.mjs exited (${exited}) before the platform was ready; see ${logFile}`);
    if (Date.now() > deadline) {
      // Otherwise start.mjs and the services it did start outlive the run.
      child.kill('SIGTERM');
      throw new Error(`platform not ready after ${timeoutMs / 1000} s (waiting for ${[...pending]}); see ${logFile}`);
    }
    for (const name of [...pending]) {
      try {
        if ((await fetch(`${urls[name]}/health/ready`)).ok) pending.delete(name);
      } catch {
        // not listening yet
      }
    }
    if (Date.now() - lastNote > 15_000) {
      lastNote = Date.now();
      log?.(`waiting for ${[...pending].join(', ') || 'nothing'} (build, migrations, start)`);
    }
    if (pending.size > 0) await sleep(500);
  }
  return {
    child,
    pids: () => servicePids(child.pid),
    async stop() {
      if (exited === null) {
        child.kill('SIGTERM');
        await Promise.race([new Promise((r) => child.once('exit', r)), sleep(30_000)]);
      }
      out.end();
    },
  };
}

/** The service processes among the children of start.mjs, by their entry point's path. */
export function servicePids(parentPid) {
  const found = {};
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== parentPid) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const match = cmdline.match(/dist\/services\/([a-z-]+)\//);
      if (match) found[match[1]] = Number(entry);
    } catch {
      // the process ended meanwhile
    }
  }
  return found;
}

/** For a platform started elsewhere: the process listening on each service's port (same user). */
export async function pidsByPort(urls) {
  const { execFileSync } = await import('node:child_process');
  let listing = '';
  try {
    listing = execFileSync('ss', ['-ltnpH'], { encoding: 'utf8' });
  } catch {
    return {};
  }
  const found = {};
  for (const [name, url] of Object.entries(urls)) {
    const port = new URL(url).port;
    const line = listing.split('\n').find((l) => new RegExp(`:${port}\\s`).test(l));
    const pid = line?.match(/pid=(\d+)/)?.[1];
    if (pid) found[name] = Number(pid);
  }
  return found;
}
