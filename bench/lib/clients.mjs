// The bench's own clients, through the client SDK: registered and signed in through auth, moved
// to the pro plan and granted credits by the administrator (as infrastructure/local/seed.mjs
// does), each with an API key that the jobs service already knows, and its default webhook
// signing secret.
import { ConveyorApiError, ConveyorClient } from './sdk.mjs';
import { sleep } from './stats.mjs';

const PASSWORD = 'conveyor-bench-password';

/** The SDK's names for the services, from the bench's (which are the services' own). */
export const sdkUrls = (urls) => ({ auth: urls.auth, jobs: urls.jobs, billing: urls.billing, webhooks: urls['webhook-delivery'] });

async function waitUntil(probe, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A signed-in SDK client; the account is registered first unless it exists (409). */
async function signIn(urls, { email, password, name }) {
  const client = new ConveyorClient({ urls: sdkUrls(urls), userAgent: 'conveyor-bench' });
  await client.auth.register({ email, password, name }).catch((error) => {
    if (!(error instanceof ConveyorApiError && error.status === 409)) throw error;
  });
  await client.auth.login({ email, password });
  return { client, id: (await client.auth.me()).id };
}

/** Signs in as the administrator (auth's ADMIN_EMAIL), registering it on a fresh database. */
export async function adminClient(urls, admin) {
  const { client } = await signIn(urls, { ...admin, name: 'Conveyor Admin' });
  const token = client.sessionTokens.accessToken;
  const roles = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).roles ?? [];
  if (!roles.includes('admin')) throw new Error(`${admin.email} is not an administrator (auth's ADMIN_EMAIL must name it)`);
  return client;
}

/**
 * One client on the pro plan with `credits` credits, an API key the jobs service accepts, and
 * its default webhook secret. `admin` is the administrator's SDK client. `db` (superuser, same
 * database) is used to wait until the jobs service's copy of the plan says pro, since no HTTP
 * route shows it.
 */
export async function createClient({ urls, admin, email, credits, plan = 'pro', db }) {
  const { client, id } = await signIn(urls, { email, password: PASSWORD, name: 'Bench client' });
  await waitUntil(async () => Boolean(await client.billing.balance()), `billing account of ${email}`);
  if (plan !== 'basic') await admin.billing.changePlan(id, plan);
  for (let left = credits; left > 0; ) {
    const grant = Math.min(left, 1_000_000);
    await admin.billing.grantCredits(id, grant, 'bench');
    left -= grant;
  }
  const { key } = await client.auth.createApiKey({ name: 'bench' });
  client.useApiKey(key);
  await waitUntil(async () => Boolean(await client.jobs.list({ limit: 1 })), `the API key of ${email} at jobs`);
  if (db && plan !== 'basic') {
    await waitUntil(async () => {
      const { rows } = await db.query('SELECT plan FROM jobs.plans WHERE user_id = $1', [id]);
      return rows[0]?.plan === plan;
    }, `the ${plan} plan of ${email} at jobs`);
  }
  const webhookSecret = await client.webhooks.defaultSecret();
  return { email, userId: id, sdk: client, apiKey: key, webhookSecret };
}
