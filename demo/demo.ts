#!/usr/bin/env node
// `npm run demo`: a tour of Conveyor as a client sees it, against a running platform (`npm start`).
// It registers a new client, creates an API key, starts a loopback webhook receiver and the demo
// vendor, submits an image job (uploading demo/sample.png) and a vendor job, streams their status,
// verifies their signed webhooks, downloads the image result and prints the balance and each
// job's trace id. CONVEYOR_URL, or CONVEYOR_<JOBS|AUTH|BILLING|WEBHOOKS>_URL, point it elsewhere.
import { ConveyorClient, WebhookVerifier, type FileResult, type Job, type VerifiedWebhook } from '@conveyor/client';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEMO_VENDOR, startDemoVendor } from './demo-vendor';

const started = Date.now();
const color = process.stdout.isTTY && !process.env['NO_COLOR'];
const paint = (code: number, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
const elapsed = () => paint(2, `${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s`);
const step = (text: string) => console.log(`${elapsed()}  ${paint(1, text)}`);
const info = (text: string) => console.log(`${elapsed()}    ${text}`);

async function main(env = process.env): Promise<void> {
  const client = new ConveyorClient({
    baseUrl: env['CONVEYOR_URL'],
    urls: { jobs: env['CONVEYOR_JOBS_URL'], auth: env['CONVEYOR_AUTH_URL'], billing: env['CONVEYOR_BILLING_URL'], webhooks: env['CONVEYOR_WEBHOOKS_URL'] },
  });
  await assertPlatformIsUp(client);

  step('1. Register a client and sign in');
  const email = `demo-${Date.now().toString(36)}@example.com`;
  const password = 'demo-password-not-secret';
  const user = await client.auth.register({ email, password, name: 'Demo Client' });
  await client.auth.login({ email, password });
  info(`${email} (user ${user.id})`);

  step('2. Create an API key');
  const key = await client.auth.createApiKey({ name: 'npm run demo' });
  client.useApiKey(key.key);
  info(`${key.prefix}… with scopes ${key.scopes.join(', ')} (shown once; the jobs API uses it from here on)`);
  await eventually(() => client.jobs.list({ limit: 1 }), 'the jobs service to learn the new key');

  step('3. Start a webhook receiver on loopback, and the demo vendor');
  const verifier = new WebhookVerifier(await client.webhooks.defaultSecret());
  const webhooks = await startWebhookReceiver(verifier);
  info(`webhooks → ${webhooks.url}, verified with the client's whsec_ secret (Standard Webhooks)`);
  const vendor = await startDemoVendor({ jobsUrl: client.urls.jobs, port: Number(env['DEMO_VENDOR_PORT'] ?? DEMO_VENDOR.port), log: info });
  info(`vendor "${DEMO_VENDOR.name}" (async, signed callbacks) → ${vendor.url}`);

  try {
    step('4. Submit an image job (upload) and a vendor job');
    const image = await readFile(resolve(__dirname, 'sample.png'));
    const imageJob = await client.jobs.submitImageUpload({
      file: image,
      filename: 'sample.png',
      contentType: 'image/png',
      operations: [{ op: 'thumbnail', size: 160 }, { op: 'rotate', angle: 90 }, { op: 'format', format: 'webp', quality: 80 }],
      webhookUrl: webhooks.url,
    });
    info(`image.transform ${imageJob.id}  (${image.length} bytes uploaded: thumbnail 160, rotate 90, webp)`);
    const vendorJob = await client.jobs.submit({ type: 'vendor.call', input: { vendor: DEMO_VENDOR.name, payload: { question: 'what is 6 × 7?' } }, webhookUrl: webhooks.url });
    info(`vendor.call     ${vendorJob.id}  (vendor ${DEMO_VENDOR.name})`);

    step('5. Stream their status live (SSE)');
    const label = (id: string) => (id === imageJob.id ? 'image ' : 'vendor');
    const follow = (id: string) =>
      client.jobs.waitForJob(id, { timeoutMs: 40_000, onStatus: (status) => info(`${label(id)} ${id.slice(0, 8)} → ${paint(statusColor(status), status)}`) });
    const [imageDone, vendorDone] = await Promise.all([follow(imageJob.id), follow(vendorJob.id)]);
    for (const job of [imageDone, vendorDone]) if (job.status !== 'succeeded') throw new Error(failure(job));

    step('6. Receive and verify the signed webhooks');
    for (const job of [imageDone, vendorDone]) {
      const hook = await webhooks.next(job.id, 20_000);
      info(`${hook.type} for ${label(job.id)} ${job.id.slice(0, 8)}: signature ok, ${hook.webhookId}`);
    }

    step('7. Download the results');
    const file = imageDone.result as FileResult;
    const download = await client.jobs.result(imageJob.id);
    const saved = join(tmpdir(), `conveyor-demo-${imageJob.id}.${file.format}`);
    await writeFile(saved, download.body);
    info(`image: ${download.contentType}, ${file.width}×${file.height}, ${download.body.length} bytes → ${saved}`);
    info(`vendor: ${JSON.stringify(vendorDone.result)}`);

    step('8. Balance and traces');
    const balance = await eventually(async () => {
      const b = await client.billing.balance();
      return b.reserved === 0 ? b : undefined;
    }, 'billing to settle the charges');
    info(`balance: ${balance.available} credits available, ${balance.reserved} reserved (plan ${balance.plan})`);
    for (const job of [imageDone, vendorDone]) info(`trace id of ${label(job.id).trim()} job: ${job.traceId ?? 'none (tracing off)'}`);
    step(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await Promise.allSettled([webhooks.close(), vendor.close()]);
  }
}

async function startWebhookReceiver(verifier: WebhookVerifier) {
  const seen: VerifiedWebhook<{ jobId?: string }>[] = [];
  const waiters: (() => void)[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    try {
      seen.push(verifier.verify(Buffer.concat(chunks).toString('utf8'), request.headers as Record<string, string>));
      response.writeHead(204).end();
      waiters.splice(0).forEach((wake) => wake());
    } catch (error) {
      info(paint(31, `refused a webhook: ${(error as Error).message}`));
      response.writeHead(400).end();
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/conveyor`,
    async next(jobId: string, timeoutMs: number) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hook = seen.find((h) => h.data.jobId === jobId);
        if (hook) return hook;
        if (Date.now() > deadline) throw new Error(`no webhook for job ${jobId} within ${timeoutMs / 1000} s`);
        await new Promise<void>((wake) => {
          waiters.push(wake);
          setTimeout(wake, 250);
        });
      }
    },
    close: () => {
      server.closeAllConnections();
      return new Promise((done) => server.close(done));
    },
  };
}

async function assertPlatformIsUp(client: ConveyorClient) {
  for (const [name, url] of Object.entries(client.urls)) {
    const ok = await fetch(`${url}/health/ready`).then((r) => r.ok, () => false);
    if (!ok) throw new Error(`${name} does not answer at ${url}: start the platform first (npm start)`);
  }
}

async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function failure(job: Job): string {
  const hint =
    job.error?.code === 'JOBS.UNKNOWN_VENDOR' || job.error?.code === 'JOBS.VENDOR_URL_REFUSED'
      ? ` (is the jobs service running with the demo vendor? npm start configures it unless JOBS_VENDORS is set)`
      : '';
  return `job ${job.id} (${job.type}) ended ${job.status}: ${job.error?.code ?? job.reason ?? ''} ${job.error?.message ?? ''}${hint}`;
}

const statusColor = (status: string) => (status === 'succeeded' ? 32 : ['failed', 'rejected', 'canceled'].includes(status) ? 31 : 33);

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(paint(31, `demo failed: ${error instanceof Error ? error.message : String(error)}`));
    process.exit(1);
  },
);
