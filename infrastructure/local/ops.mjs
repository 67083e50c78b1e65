#!/usr/bin/env node
// Operator commands against a running platform, through each service's admin routes:
//
//   npm run ops -- dlq list <service> [--limit N]
//   npm run ops -- dlq replay <service> <message id | --all>
//   npm run ops -- dlq discard <service> <message id | --all>
//   npm run ops -- outbox <service> [--retry-abandoned]
//
// <service> is auth, user, billing, jobs or webhook-delivery. Each is found at
// CONVEYOR_<SERVICE>_URL (e.g. CONVEYOR_WEBHOOK_DELIVERY_URL), by default on localhost at its
// usual port. The commands act as an administrator: CONVEYOR_ADMIN_TOKEN if set, otherwise a
// login with CONVEYOR_ADMIN_EMAIL / CONVEYOR_ADMIN_PASSWORD (default: the development admin
// that `npm start` creates).
import { pathToFileURL } from 'node:url';

const PORTS = { jobs: 3000, auth: 3001, user: 3002, billing: 3003, 'webhook-delivery': 3004 };
const USAGE = `usage:
  npm run ops -- dlq list <service> [--limit N]
  npm run ops -- dlq replay <service> <message id | --all>
  npm run ops -- dlq discard <service> <message id | --all>
  npm run ops -- outbox <service> [--retry-abandoned]
services: ${Object.keys(PORTS).join(', ')}`;

export function serviceUrl(service, env = process.env) {
  if (!(service in PORTS)) throw new UsageError(`unknown service "${service}"`);
  const variable = `CONVEYOR_${service.toUpperCase().replace(/-/g, '_')}_URL`;
  return (env[variable] ?? `http://127.0.0.1:${PORTS[service]}`).replace(/\/$/, '');
}

/** Turns the command line into one admin request: `{ service, method, path, body? }`. */
export function parseCommand(args) {
  const [group, action, service, target, ...rest] = args;
  if (group === 'dlq') {
    if (action === 'list') {
      const limit = target === '--limit' ? Number(rest[0]) : 100;
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit needs a positive whole number');
      return { service, method: 'GET', path: `/admin/dead-letters?limit=${limit}` };
    }
    if (action === 'replay' || action === 'discard') {
      if (!target) throw new UsageError(`dlq ${action} needs a message id or --all`);
      return { service, method: 'POST', path: `/admin/dead-letters/${action}`, body: target === '--all' ? { all: true } : { id: target } };
    }
  }
  if (group === 'outbox') {
    const [name, flag] = [action, service];
    if (flag === '--retry-abandoned') return { service: name, method: 'POST', path: '/admin/outbox/retry-abandoned' };
    if (flag === undefined) return { service: name, method: 'GET', path: '/admin/outbox' };
  }
  throw new UsageError('unknown command');
}

async function adminToken(env = process.env) {
  if (env.CONVEYOR_ADMIN_TOKEN) return env.CONVEYOR_ADMIN_TOKEN;
  const response = await fetch(`${serviceUrl('auth', env)}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: env.CONVEYOR_ADMIN_EMAIL ?? 'admin@conveyor.local',
      password: env.CONVEYOR_ADMIN_PASSWORD ?? 'conveyor-admin-password',
    }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(`admin login failed: ${response.status} ${body.code ?? ''} ${body.detail ?? ''}`.trim());
  return body.accessToken;
}

export async function run(args, { env = process.env, print = console.log } = {}) {
  const command = parseCommand(args);
  const token = await adminToken(env);
  const response = await fetch(`${serviceUrl(command.service, env)}${command.path}`, {
    method: command.method,
    headers: { authorization: `Bearer ${token}`, ...(command.body && { 'content-type': 'application/json' }) },
    body: command.body && JSON.stringify(command.body),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(`${command.service} answered ${response.status}: ${body.code ?? ''} ${body.detail ?? ''}`.trim());
  print(JSON.stringify(body, null, 2));
  return body;
}

class UsageError extends Error {}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  run(process.argv.slice(2)).catch((error) => {
    console.error(error instanceof UsageError ? `${error.message}\n${USAGE}` : error.message);
    process.exit(error instanceof UsageError ? 2 : 1);
  });
}
