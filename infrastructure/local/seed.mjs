#!/usr/bin/env node
// Demo data for a running platform: two clients, a basic one with 10 credits and a pro one
// with 100, each with a fresh API key printed to the console. Safe to run again: existing
// accounts are reused, credits are only topped up to the target, and the previous demo key
// of each client is revoked before a new one is made.
//
// `npm start` runs it once the services are ready. It acts as an administrator for the plan
// change and the grant: it registers (or logs in) SEED_ADMIN_EMAIL, which must be auth's
// ADMIN_EMAIL (npm start and docker compose set both to admin@conveyor.local) or have been made
// an administrator with `node services/auth/src/main.ts grant-admin <email>`.
import { pathToFileURL } from 'node:url';

const DEMO_PASSWORD = 'conveyor-demo-password';
const DEMO_KEY_NAME = 'demo key';
const clients = [
  { email: 'demo-basic@conveyor.local', name: 'Demo Basic', plan: 'basic', credits: 10 },
  { email: 'demo-pro@conveyor.local', name: 'Demo Pro', plan: 'pro', credits: 100 },
];

/** The development administrator; never use these outside a laptop. */
export const SEED_ADMIN = {
  email: process.env.SEED_ADMIN_EMAIL ?? 'admin@conveyor.local',
  name: 'Conveyor Admin',
  password: process.env.SEED_ADMIN_PASSWORD ?? 'conveyor-admin-password',
};

export async function seed({ authUrl, billingUrl, admin: adminAccount = SEED_ADMIN, log = console.log }) {
  const { token: adminToken } = await registerOrLogin(authUrl, adminAccount, adminAccount.password);
  const roles = JSON.parse(Buffer.from(adminToken.split('.')[1], 'base64url').toString()).roles ?? [];
  if (!roles.includes('admin')) {
    throw new Error(`${adminAccount.email} is not an administrator: set auth's ADMIN_EMAIL to it, or run grant-admin`);
  }
  const admin = `Bearer ${adminToken}`;
  for (const client of clients) {
    const user = await registerOrLogin(authUrl, client);
    const auth = `Bearer ${user.token}`;
    await waitUntil(async () => (await call('GET', `${billingUrl}/v1/billing/balance`, { auth })).status === 200, 'the billing account');

    if (client.plan !== 'basic') {
      await expectOk(call('PUT', `${billingUrl}/v1/billing/accounts/${user.id}/plan`, { auth: admin, body: { plan: client.plan } }));
    }
    const { body: balance } = await expectOk(call('GET', `${billingUrl}/v1/billing/balance`, { auth }));
    const missing = client.credits - balance.available;
    if (missing > 0) {
      await expectOk(
        call('POST', `${billingUrl}/v1/billing/accounts/${user.id}/grants`, { auth: admin, body: { credits: missing, note: 'demo seed' } }),
      );
    }

    const { body: keys } = await expectOk(call('GET', `${authUrl}/v1/auth/api-keys`, { auth }));
    for (const old of keys.filter((k) => k.name === DEMO_KEY_NAME)) {
      await expectOk(call('DELETE', `${authUrl}/v1/auth/api-keys/${old.id}`, { auth }));
    }
    const { body: key } = await expectOk(call('POST', `${authUrl}/v1/auth/api-keys`, { auth, body: { name: DEMO_KEY_NAME } }));
    log(`  ${client.email.padEnd(28)} plan ${client.plan.padEnd(5)} ${String(client.credits).padStart(3)} credits  API key ${key.key}`);
  }
  log(`  (password of both demo accounts: ${DEMO_PASSWORD})`);
}

async function registerOrLogin(authUrl, client, password = DEMO_PASSWORD) {
  const registered = await call('POST', `${authUrl}/v1/auth/register`, {
    body: { email: client.email, password, name: client.name },
  });
  if (registered.status !== 201 && registered.status !== 409) throw new Error(`register ${client.email}: ${registered.status}`);
  const { body: login } = await expectOk(call('POST', `${authUrl}/v1/auth/login`, { body: { email: client.email, password } }));
  const { body: me } = await expectOk(call('GET', `${authUrl}/v1/auth/me`, { auth: `Bearer ${login.accessToken}` }));
  return { id: me.id, token: login.accessToken };
}

async function call(method, url, { auth, body } = {}) {
  const response = await fetch(url, {
    method,
    headers: { ...(auth && { authorization: auth }), ...(body && { 'content-type': 'application/json' }) },
    body: body && JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function expectOk(pending) {
  const result = await pending;
  if (result.status >= 400) throw new Error(`seed request failed with ${result.status}: ${JSON.stringify(result.body)}`);
  return result;
}

async function waitUntil(probe, what, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await seed({
    authUrl: process.env.AUTH_URL ?? 'http://127.0.0.1:3001',
    billingUrl: process.env.BILLING_URL ?? 'http://127.0.0.1:3003',
  });
}
