import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { SYSTEM_TEST_ADMIN_EMAIL } from '../support/service-process';
import { balancedCall, type CallResult } from './balanced-call';
import type { Cluster } from './cluster';
import { WebhookReceiver } from './webhook-receiver';

const PASSWORD = 'correct horse battery';

export type JobKind = 'echo' | 'echo-fail' | 'echo-transient' | 'echo-cancel' | 'image' | 'image-fail';

/** The share of each kind in the stream; the rest of the mix is plain echo jobs. */
const MIX: [JobKind, number][] = [
  ['echo-fail', 0.1],
  ['echo-transient', 0.1],
  ['echo-cancel', 0.1],
  ['image', 0.08],
  ['image-fail', 0.04],
];

export interface SubmittedJob {
  id: string;
  client: number;
  kind: JobKind;
  submittedAt: number;
  /** What the cancel request got: 200 (canceled) or 409 (already finished). */
  cancelStatus?: number;
}

export interface ChaosClient {
  index: number;
  userId: string;
  email: string;
  token: string;
  apiKey: string;
  receiver: WebhookReceiver;
}

/** Registers a user through any auth instance (a 409 after a lost answer means it exists) and logs in. */
export async function registerUser(cluster: Cluster, email: string): Promise<{ id: string; token: string }> {
  const auth = cluster.instancesOf('auth');
  const registered = await balancedCall(auth, '/v1/auth/register', { body: { email, password: PASSWORD, name: 'Chaos Client' } });
  if (registered.status !== 201 && registered.status !== 409) throw new Error(`register ${email}: ${registered.status}`);
  const login = await balancedCall(auth, '/v1/auth/login', { body: { email, password: PASSWORD } });
  if (login.status !== 200 && login.status !== 201) throw new Error(`login ${email}: ${login.status}`);
  const token = String(login.body['accessToken']);
  const me = expectStatus(await balancedCall(auth, '/v1/auth/me', { token }), 200, 'me');
  return { id: String(me.body['id']), token };
}

/**
 * The run's clients: each on the `pro` plan with plenty of credits, an API key for jobs, and a
 * webhook receiver of its own that verifies with the client's default secret.
 */
export async function prepareClients(cluster: Cluster, count: number, credits: number): Promise<ChaosClient[]> {
  const admin = await registerUser(cluster, SYSTEM_TEST_ADMIN_EMAIL);
  const billing = cluster.instancesOf('billing');
  const clients: ChaosClient[] = [];
  for (let index = 0; index < count; index++) {
    const email = `chaos-client-${index}-${randomUUID().slice(0, 8)}@example.com`;
    const user = await registerUser(cluster, email);
    await waitUntil(async () => (await balancedCall(billing, '/v1/billing/balance', { token: user.token })).status === 200, `${email}'s account`);
    expectStatus(await balancedCall(billing, `/v1/billing/accounts/${user.id}/plan`, { method: 'PUT', token: admin.token, body: { plan: 'pro' } }), 200, 'plan');
    expectStatus(await balancedCall(billing, `/v1/billing/accounts/${user.id}/grants`, { token: admin.token, body: { credits, note: 'chaos run' } }), 201, 'grant');
    const key = expectStatus(await balancedCall(cluster.instancesOf('auth'), '/v1/auth/api-keys', { token: user.token, body: { name: 'chaos' } }), 201, 'api key');
    const apiKey = String(key.body['key']);
    const secret = expectStatus(await balancedCall(cluster.instancesOf('webhook-delivery'), '/v1/webhooks/secret', { token: user.token }), 200, 'secret');
    const receiver = new WebhookReceiver();
    await receiver.listen();
    receiver.useSecret(String(secret.body['secret']));
    await waitUntil(async () => (await balancedCall(cluster.instancesOf('jobs'), '/v1/jobs', { token: apiKey })).status === 200, `jobs to know ${email}'s key`);
    // Both jobs instances must see the pro plan, or the client runs one job at a time.
    await waitUntil(async () => (await cluster.query(`SELECT plan FROM jobs.plans WHERE user_id = $1`, [user.id]))[0]?.['plan'] === 'pro', 'the pro plan at jobs');
    clients.push({ index, userId: user.id, email, token: user.token, apiKey, receiver });
  }
  return clients;
}

export function pickKind(): JobKind {
  let roll = Math.random();
  for (const [kind, share] of MIX) {
    if (roll < share) return kind;
    roll -= share;
  }
  return 'echo';
}

let tinyPng: Buffer | undefined;

/**
 * Submits one job of the kind through any jobs instance. The Idempotency-Key makes a retry
 * after a lost answer return the job the first try created instead of a second one.
 */
export async function submitJob(cluster: Cluster, client: ChaosClient, kind: JobKind, seq: number): Promise<SubmittedJob> {
  const jobs = cluster.instancesOf('jobs');
  const metadata = { chaos: 'true', kind, seq: String(seq) };
  const headers = { 'idempotency-key': randomUUID() };
  let body: unknown;
  if (kind === 'image' || kind === 'image-fail') {
    tinyPng ??= await sharp({ create: { width: 32, height: 32, channels: 3, background: '#c04020' } }).png().toBuffer();
    const operations = kind === 'image' ? [{ op: 'thumbnail', size: 16 }] : [{ op: 'crop', left: 0, top: 0, width: 64, height: 64 }];
    const form = new FormData();
    form.set('type', 'image.transform');
    form.set('input', JSON.stringify({ operations }));
    form.set('metadata', JSON.stringify(metadata));
    form.set('webhookUrl', client.receiver.url);
    form.set('file', new Blob([new Uint8Array(tinyPng)], { type: 'image/png' }), 'tiny.png');
    body = form;
  } else {
    body = { type: 'echo', input: echoInput(kind, seq), metadata, webhookUrl: client.receiver.url };
  }
  // 409: the first try's idempotency claim is still in flight (or held by a killed process).
  const answer = await balancedCall(jobs, '/v1/jobs', { token: client.apiKey, headers, body, retryOn: [409, 500, 502, 503, 504], deadlineMs: 180_000 });
  expectStatus(answer, 202, `submit ${kind}`);
  const job: SubmittedJob = { id: String(answer.body['id']), client: client.index, kind, submittedAt: Date.now() };
  if (kind === 'echo-cancel') {
    await new Promise((resolve) => setTimeout(resolve, 200 + Math.random() * 1_500));
    const cancel = await balancedCall(jobs, `/v1/jobs/${job.id}/cancel`, { method: 'POST', token: client.apiKey, deadlineMs: 120_000 });
    if (cancel.status !== 200 && cancel.status !== 409) throw new Error(`cancel ${job.id}: ${cancel.status} ${JSON.stringify(cancel.body)}`);
    job.cancelStatus = cancel.status;
  }
  return job;
}

function echoInput(kind: JobKind, seq: number): Record<string, unknown> {
  switch (kind) {
    case 'echo-fail':
      return { seq, delayMs: Math.floor(Math.random() * 200), failWith: 'failing on purpose' };
    case 'echo-transient':
      return { seq, delayMs: Math.floor(Math.random() * 100), transientFailures: 1 + Math.floor(Math.random() * 2) };
    case 'echo-cancel':
      return { seq, delayMs: 1_500 + Math.floor(Math.random() * 2_500) };
    default:
      return { seq, delayMs: Math.floor(Math.random() * 200) };
  }
}

function expectStatus(result: CallResult, status: number, what: string): CallResult {
  if (result.status !== status) throw new Error(`${what}: expected ${status}, got ${result.status} ${JSON.stringify(result.body).slice(0, 300)}`);
  return result;
}

async function waitUntil(probe: () => Promise<boolean>, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
