// The bench's own clients: registered and logged in through auth, moved to the pro plan and
// granted credits by the administrator (as infrastructure/local/seed.mjs does), each with an
// API key that the jobs service already knows, and its default webhook signing secret.
import { sleep } from './stats.mjs';

const PASSWORD = 'conveyor-bench-password';

export async function call(method, url, { auth, body, headers } = {}) {
  const response = await fetch(url, {
    method,
    headers: { ...(auth && { authorization: auth }), ...(body && { 'content-type': 'application/json' }), ...headers },
    body: body && JSON.stringify(body),
  });
  const text = await response.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: response.status, body: parsed };
}

async function ok(pending, what) {
  const result = await pending;
  if (result.status >= 400) throw new Error(`${what} failed with ${result.status}: ${JSON.stringify(result.body)}`);
  return result.body;
}

async function waitUntil(probe, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function registerOrLogin(authUrl, { email, password, name }) {
  const registered = await call('POST', `${authUrl}/v1/auth/register`, { body: { email, password, name } });
  if (registered.status !== 201 && registered.status !== 409) throw new Error(`register ${email}: ${registered.status} ${JSON.stringify(registered.body)}`);
  const login = await ok(call('POST', `${authUrl}/v1/auth/login`, { body: { email, password } }), `login ${email}`);
  const me = await ok(call('GET', `${authUrl}/v1/auth/me`, { auth: `Bearer ${login.accessToken}` }), 'me');
  return { id: me.id, token: login.accessToken };
}

/** Logs in as the administrator (auth's ADMIN_EMAIL), registering it on a fresh database. */
export async function adminToken(urls, admin) {
  const { token } = await registerOrLogin(urls.auth, { ...admin, name: 'Conveyor Admin' });
  const roles = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).roles ?? [];
  if (!roles.includes('admin')) throw new Error(`${admin.email} is not an administrator (auth's ADMIN_EMAIL must name it)`);
  return `Bearer ${token}`;
}

/**
 * One client on the pro plan with `credits` credits, an API key the jobs service accepts, and
 * its default webhook secret. `db` (superuser, same database) is used to wait until the jobs
 * service's copy of the plan says pro, since no HTTP route shows it.
 */
export async function createClient({ urls, admin, email, credits, plan = 'pro', db }) {
  const user = await registerOrLogin(urls.auth, { email, password: PASSWORD, name: 'Bench client' });
  const auth = `Bearer ${user.token}`;
  await waitUntil(async () => (await call('GET', `${urls.billing}/v1/billing/balance`, { auth })).status === 200, `billing account of ${email}`);
  if (plan !== 'basic') {
    await ok(call('PUT', `${urls.billing}/v1/billing/accounts/${user.id}/plan`, { auth: admin, body: { plan } }), 'plan change');
  }
  let left = credits;
  while (left > 0) {
    const grant = Math.min(left, 1_000_000);
    await ok(call('POST', `${urls.billing}/v1/billing/accounts/${user.id}/grants`, { auth: admin, body: { credits: grant, note: 'bench' } }), 'grant');
    left -= grant;
  }
  const key = await ok(call('POST', `${urls.auth}/v1/auth/api-keys`, { auth, body: { name: 'bench' } }), 'API key');
  const apiKey = `Bearer ${key.key}`;
  await waitUntil(async () => (await call('GET', `${urls.jobs}/v1/jobs?limit=1`, { auth: apiKey })).status === 200, `the API key of ${email} at jobs`);
  if (db && plan !== 'basic') {
    await waitUntil(async () => {
      const { rows } = await db.query('SELECT plan FROM jobs.plans WHERE user_id = $1', [user.id]);
      return rows[0]?.plan === plan;
    }, `the ${plan} plan of ${email} at jobs`);
  }
  const { secret } = await ok(call('GET', `${urls['webhook-delivery']}/v1/webhooks/secret`, { auth }), 'webhook secret');
  return { email, userId: user.id, accessToken: auth, apiKey, webhookSecret: secret };
}
