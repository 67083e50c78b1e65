#!/usr/bin/env node
// `npm start`: prepares the local database, builds, migrates and runs all five services and the
// web console as separate processes, each line of their output prefixed with the service's name.
// Ctrl-C (or SIGTERM) stops them gracefully.
//
// Uses Postgres and RabbitMQ on their default local ports unless DATABASE_ADMIN_URL,
// DATABASE_NAME and AMQP_URL say otherwise. Every service variable (see each service's
// README) can be set in the environment and is passed through; <SERVICE>_HTTP_PORT and
// <SERVICE>_DATABASE_URL (e.g. WEBHOOK_DELIVERY_HTTP_PORT) set one service's own.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setupDatabase } from '../postgres/setup.mjs';
import { SEED_ADMIN, seed } from './seed.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const services = [
  { name: 'jobs', port: 3000, role: 'conveyor_jobs', color: 36 },
  { name: 'auth', port: 3001, role: 'conveyor_auth', color: 35 },
  { name: 'user', port: 3002, role: 'conveyor_user', color: 32 },
  { name: 'billing', port: 3003, role: 'conveyor_billing', color: 33 },
  { name: 'webhook-delivery', port: 3004, role: 'conveyor_webhooks', color: 34 },
  // The web console owns no data: no role, no migrations.
  { name: 'console', port: 3005, color: 37 },
];

const adminUrl = process.env.DATABASE_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const database = process.env.DATABASE_NAME || 'conveyor';

function say(message) {
  console.log(`\x1b[1m[conveyor]\x1b[0m ${message}`);
}

const envName = (service, suffix) => `${service.name.toUpperCase().replace('-', '_')}_${suffix}`;

/**
 * The service's own role. Passwords follow infrastructure/postgres/passwords.sh (same variables,
 * same development defaults); a server with trust authentication simply ignores them.
 */
function databaseUrlFor(service) {
  const url = new URL(adminUrl);
  url.username = service.role;
  url.password = process.env[`CONVEYOR_${envName(service, 'DB_PASSWORD')}`] ?? `${service.role}_dev`;
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * Development defaults that let `npm run demo` work on a laptop: webhooks to a loopback `http`
 * receiver, and the demo vendor (demo/vendor.json) on loopback. Each applies only when the
 * variable is not set, and none in production: these allowances open SSRF holes on a server.
 */
function developmentDefaults(service) {
  if (process.env.NODE_ENV === 'production') return {};
  const vendor = JSON.parse(readFileSync(resolve(root, 'demo/vendor.json'), 'utf8'));
  const defaults = {
    jobs: {
      JOBS_ALLOW_HTTP_WEBHOOKS: 'true',
      JOBS_ALLOW_LOOPBACK_WEBHOOKS: 'true',
      JOBS_ALLOW_LOOPBACK_VENDORS: 'true',
      JOBS_VENDORS: JSON.stringify({
        [vendor.name]: {
          baseUrl: `http://127.0.0.1:${vendor.port}/${vendor.name}`,
          mode: vendor.mode,
          secret: vendor.secret,
          rateLimit: vendor.rateLimit,
        },
      }),
      MCP_BILLING_URL: `http://127.0.0.1:${portOf('billing')}`,
      MCP_WEBHOOKS_URL: `http://127.0.0.1:${portOf('webhook-delivery')}`,
    },
    'webhook-delivery': { WEBHOOKS_ALLOW_HTTP: 'true', WEBHOOKS_ALLOW_LOOPBACK: 'true' },
  }[service.name];
  return Object.fromEntries(Object.entries(defaults ?? {}).filter(([name]) => process.env[name] === undefined));
}

function envFor(service) {
  if (!service.role) {
    const url = (name) => `http://127.0.0.1:${portOf(name)}`;
    return {
      ...process.env,
      HTTP_PORT: process.env[envName(service, 'HTTP_PORT')] || String(service.port),
      CONSOLE_AUTH_URL: process.env.CONSOLE_AUTH_URL || url('auth'),
      CONSOLE_USER_URL: process.env.CONSOLE_USER_URL || url('user'),
      CONSOLE_BILLING_URL: process.env.CONSOLE_BILLING_URL || url('billing'),
      CONSOLE_JOBS_URL: process.env.CONSOLE_JOBS_URL || url('jobs'),
      CONSOLE_WEBHOOKS_URL: process.env.CONSOLE_WEBHOOKS_URL || url('webhook-delivery'),
    };
  }
  return {
    ...developmentDefaults(service),
    ...process.env,
    DATABASE_URL: process.env[envName(service, 'DATABASE_URL')] || databaseUrlFor(service),
    HTTP_PORT: process.env[envName(service, 'HTTP_PORT')] || String(service.port),
    // Every service verifies access tokens with the public keys auth publishes.
    AUTH_JWKS_URL: process.env.AUTH_JWKS_URL || `http://127.0.0.1:${portOf('auth')}/.well-known/jwks.json`,
    // The seed logs in as this account to act as an administrator.
    ADMIN_EMAIL: process.env.ADMIN_EMAIL || SEED_ADMIN.email,
  };
}

const entry = (name) => resolve(root, `dist/services/${name}/services/${name}/src/main.js`);

const portOf = (name) => process.env[envName({ name }, 'HTTP_PORT')] || String(services.find((s) => s.name === name).port);

if (process.env.NODE_ENV !== 'production') {
  say('development defaults for `npm run demo`: loopback webhooks and the demo vendor, unless set (README, "Quick start")');
}
say(`preparing database ${database}`);
await setupDatabase({ adminUrl, database });

say('building services (cached by Nx after the first run)');
const build = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '-p', ...services.map((s) => s.name)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, NX_DAEMON: 'false' },
});
if (build.status !== 0) process.exit(build.status ?? 1);

for (const service of services.filter((s) => s.role)) {
  const migrate = spawnSync(process.execPath, [entry(service.name), 'migrate'], { cwd: root, env: envFor(service), encoding: 'utf8' });
  if (migrate.status !== 0) {
    process.stderr.write(migrate.stdout + migrate.stderr);
    say(`migrations of ${service.name} failed`);
    process.exit(1);
  }
  say(`migrated ${service.name}`);
}

const children = services.map((service) => {
  const child = spawn(process.execPath, [entry(service.name)], { cwd: root, env: envFor(service), stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = `\x1b[${service.color}m[${service.name.padEnd(16)}]\x1b[0m `;
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream.on('data', (chunk) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop();
      for (const line of lines) process.stdout.write(prefix + line + '\n');
    });
  }
  child.on('exit', (code, signal) => {
    say(`${service.name} exited (${signal ?? code})`);
    if (!stopping) stop(1);
  });
  return { service, child };
});

let stopping = false;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  say('stopping all services');
  for (const { child } of children) if (child.exitCode === null) child.kill('SIGTERM');
  Promise.all(children.map(({ child }) => (child.exitCode === null ? new Promise((r) => child.once('exit', r)) : null))).then(() =>
    process.exit(code),
  );
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

await Promise.all(children.map(({ service }) => waitUntilReady(service)));
say('all services are ready:');
const urlOf = (name) => `http://127.0.0.1:${envFor(services.find((s) => s.name === name)).HTTP_PORT}`;
for (const { service } of children) {
  console.log(`    ${service.name.padEnd(16)} ${urlOf(service.name)}  (health: /health/ready)`);
}
if (!stopping) {
  say('demo clients (npm run seed):');
  await seed({ authUrl: urlOf('auth'), billingUrl: urlOf('billing'), admin: SEED_ADMIN }).catch((error) =>
    say(`seeding the demo clients failed: ${error.message}`),
  );
}
if (!stopping) say(`web console: ${urlOf('console')}/ (register there, or log in as a demo client above)`);

async function waitUntilReady(service) {
  const url = `http://127.0.0.1:${envFor(service).HTTP_PORT}/health/ready`;
  const deadline = Date.now() + 60_000;
  while (!stopping && Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  if (!stopping) say(`${service.name} did not become ready within 60 s; see its log lines above`);
}
