import { ConveyorApiError, WebhookVerifier, type Job } from '@conveyor/client';
import { freePorts, waitFor } from '@conveyor/testing';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { startRecordingReceiver, type RecordedRequest } from './support/http';
import { startPlatform, type Platform } from './support/platform';
import { newSdkClient, PASSWORD } from './support/sdk';
import { REPO_ROOT, runNodeScript } from './support/service-process';

/** The client SDK and the MCP server against the whole platform, each service its own process. */
describe('the client SDK and the MCP server against the running platform', () => {
  let platform: Platform;
  let receiver: Awaited<ReturnType<typeof startRecordingReceiver>>;
  let receiverUrl: string;
  let received: RecordedRequest[];
  let vendorPort: number;
  const demoVendor = JSON.parse(readFileSync(resolve(REPO_ROOT, 'demo/vendor.json'), 'utf8'));

  beforeAll(async () => {
    receiver = await startRecordingReceiver();
    ({ url: receiverUrl, received } = receiver);
    [vendorPort] = await freePorts(1);
    // What `npm start` configures by default for the demo, with the demo vendor on a free port.
    const vendor = { baseUrl: `http://127.0.0.1:${vendorPort}/${demoVendor.name}`, mode: demoVendor.mode, secret: demoVendor.secret, rateLimit: demoVendor.rateLimit };
    platform = await startPlatform({
      services: ['auth', 'billing', 'jobs', 'webhook-delivery'],
      env: {
        JOBS_ALLOW_HTTP_WEBHOOKS: 'true',
        JOBS_ALLOW_LOOPBACK_WEBHOOKS: 'true',
        WEBHOOKS_ALLOW_HTTP: 'true',
        WEBHOOKS_ALLOW_LOOPBACK: 'true',
        JOBS_ALLOW_LOOPBACK_VENDORS: 'true',
        JOBS_VENDORS: JSON.stringify({ [demoVendor.name]: vendor }),
      },
    });
  }, 120_000);
  afterAll(async () => {
    receiver?.close();
    await platform?.stop();
  });

  const textOf = (result: CallToolResult) => (result.content[0] as { text: string }).text;
  const jsonOf = <T>(result: CallToolResult) => JSON.parse(textOf(result as CallToolResult)) as T;

  it('registers, creates an API key, submits an echo job and follows it over SSE to its result', async () => {
    const { client } = await newSdkClient(platform);
    const statuses: string[] = [];

    const { id } = await client.jobs.submit({ type: 'echo', input: { hello: 'sdk', delayMs: 200 } });
    const job = await client.jobs.waitForJob<{ hello: string }>(id, { mode: 'sse', onStatus: (status) => statuses.push(status), timeoutMs: 20_000 });

    expect(job).toMatchObject({ id, status: 'succeeded', result: { hello: 'sdk' } });
    expect(job.traceId).toMatch(/^[\da-f]{32}$/);
    expect(statuses).toEqual(['pending', 'queued', 'running', 'succeeded']);
    expect((await client.jobs.result(id)).json()).toEqual({ hello: 'sdk' });
    await waitFor(async () => (await client.billing.balance()).available === 9, { description: 'the job to be charged' });
  });

  it('waits by polling when streaming is off, and reports problems with their codes', async () => {
    const { client } = await newSdkClient(platform, { waitForBilling: false });

    const { id } = await client.jobs.submit({ type: 'echo', input: { failWith: 'on purpose' } });
    const job = await client.jobs.waitForJob(id, { mode: 'poll', pollIntervalMs: 100, timeoutMs: 20_000 });

    expect(job).toMatchObject({ status: 'failed', error: { code: 'JOBS.ECHO_FAILED' } });
    const missing = await client.jobs.get('00000000-0000-4000-8000-000000000000').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ConveyorApiError);
    expect(missing).toMatchObject({ status: 404, code: 'JOBS.JOB_NOT_FOUND' });
  });

  it("makes a retried submit run once: the SDK's Idempotency-Key", async () => {
    const { client } = await newSdkClient(platform, { waitForBilling: false });

    const first = await client.jobs.submit({ type: 'echo', input: { n: 1 }, idempotencyKey: 'retry-me' });
    const again = await client.jobs.submit({ type: 'echo', input: { n: 1 }, idempotencyKey: 'retry-me' });

    expect(again.id).toBe(first.id);
  });

  it('receives the signed webhook of a job and verifies it, as standardwebhooks does', async () => {
    const { client } = await newSdkClient(platform, { waitForBilling: false });
    const secret = await client.webhooks.defaultSecret();

    const { id } = await client.jobs.submit({ type: 'echo', input: { webhook: true }, webhookUrl: receiverUrl });
    await client.jobs.waitForJob(id);
    const delivery = await waitFor(() => received.find((r) => r.body.includes(id)), { description: 'the webhook', timeoutMs: 15_000 });

    const verified = new WebhookVerifier(secret).verify<{ jobId: string }>(delivery.body, delivery.headers as Record<string, string>);
    expect(verified).toMatchObject({ type: 'jobs.job.succeeded.v1', data: { jobId: id } });
    expect(new Webhook(secret).verify(delivery.body, delivery.headers as Record<string, string>)).toMatchObject({ type: 'jobs.job.succeeded.v1' });
    expect(() => new WebhookVerifier(secret).verify(delivery.body.replace('succeeded', 'failed'), delivery.headers as Record<string, string>)).toThrow();
    const messages = await waitFor(
      async () => (await client.webhooks.listMessages({ status: 'succeeded' })).items.find((m) => m.subject === id),
      { description: 'the delivery in the log' },
    );
    expect(messages.webhookId).toBe(delivery.headers['webhook-id']);
  });

  it('serves the MCP tools over streamable HTTP at /mcp: submit an echo job, wait for it, read it', async () => {
    const { apiKey, accessToken } = await newSdkClient(platform);
    const connect = async (bearer: string) => {
      const mcp = new Client({ name: 'e2e', version: '1.0.0' });
      await mcp.connect(
        new StreamableHTTPClientTransport(new URL(`${platform.service('jobs').url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${bearer}` } } }),
      );
      return mcp;
    };
    const mcp = await connect(apiKey);
    try {
      const tools = (await mcp.listTools()).tools.map((t) => t.name);
      expect(tools.sort()).toEqual(['get_balance', 'get_job', 'list_jobs', 'list_webhook_deliveries', 'submit_job', 'wait_for_job']);

      const submitted = jsonOf<{ id: string }>((await mcp.callTool({ name: 'submit_job', arguments: { type: 'echo', input: { via: 'mcp' } } })) as CallToolResult);
      const waited = jsonOf<Job>((await mcp.callTool({ name: 'wait_for_job', arguments: { id: submitted.id, timeoutSeconds: 20 } })) as CallToolResult);
      const read = jsonOf<Job>((await mcp.callTool({ name: 'get_job', arguments: { id: submitted.id } })) as CallToolResult);
      const resource = await mcp.readResource({ uri: `conveyor://jobs/${submitted.id}/result` });

      expect(waited).toMatchObject({ id: submitted.id, status: 'succeeded' });
      expect(read).toMatchObject({ status: 'succeeded', result: { via: 'mcp' } });
      expect(JSON.parse((resource.contents[0] as { text: string }).text)).toEqual({ via: 'mcp' });
      expect(jsonOf<{ items: Job[] }>((await mcp.callTool({ name: 'list_jobs', arguments: { limit: 5 } })) as CallToolResult).items[0].id).toBe(submitted.id);

      // errors are tool errors with the problem's code, and the connection stays usable
      const missing = (await mcp.callTool({ name: 'get_job', arguments: { id: '00000000-0000-4000-8000-000000000000' } })) as CallToolResult;
      expect(missing.isError).toBe(true);
      expect(textOf(missing)).toMatch(/^JOBS\.JOB_NOT_FOUND \(404\)/);
      const balanceWithKey = (await mcp.callTool({ name: 'get_balance', arguments: {} })) as CallToolResult;
      expect(balanceWithKey).toMatchObject({ isError: true, structuredContent: { error: { status: 401 } } });
    } finally {
      await mcp.close();
    }

    // with an access token, the balance and the webhook log answer too
    const signedIn = await connect(accessToken());
    try {
      expect(jsonOf((await signedIn.callTool({ name: 'get_balance', arguments: {} })) as CallToolResult)).toMatchObject({ plan: 'basic' });
      expect(jsonOf((await signedIn.callTool({ name: 'list_webhook_deliveries', arguments: {} })) as CallToolResult)).toHaveProperty('items');
    } finally {
      await signedIn.close();
    }
    expect((await fetch(`${platform.service('jobs').url}/mcp`, { method: 'POST' })).status).toBe(401);
  });

  it('serves the same tools over stdio with the API key and a session', async () => {
    const { apiKey, email } = await newSdkClient(platform);
    const mcp = new Client({ name: 'e2e-stdio', version: '1.0.0' });
    await mcp.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: ['-r', '@swc-node/register', resolve(REPO_ROOT, 'libs/mcp/src/bin/stdio.ts')],
        cwd: REPO_ROOT,
        stderr: 'pipe',
        env: {
          PATH: String(process.env['PATH']),
          SWC_NODE_PROJECT: resolve(REPO_ROOT, 'tsconfig.base.json'),
          CONVEYOR_API_KEY: apiKey,
          CONVEYOR_EMAIL: email,
          CONVEYOR_PASSWORD: PASSWORD,
          CONVEYOR_AUTH_URL: platform.service('auth').url,
          CONVEYOR_JOBS_URL: platform.service('jobs').url,
          CONVEYOR_BILLING_URL: platform.service('billing').url,
          CONVEYOR_WEBHOOKS_URL: platform.service('webhook-delivery').url,
        },
      }),
    );
    try {
      const submitted = jsonOf<{ id: string }>((await mcp.callTool({ name: 'submit_job', arguments: { type: 'echo', input: { via: 'stdio' } } })) as CallToolResult);
      const waited = jsonOf<Job>((await mcp.callTool({ name: 'wait_for_job', arguments: { id: submitted.id } })) as CallToolResult);
      expect(waited).toMatchObject({ status: 'succeeded', result: { via: 'stdio' } });
      expect(jsonOf((await mcp.callTool({ name: 'get_balance', arguments: {} })) as CallToolResult)).toHaveProperty('available');
      const invalid = (await mcp.callTool({ name: 'submit_job', arguments: { type: 'no.such.type', input: {} } })) as CallToolResult;
      expect(invalid.isError).toBe(true);
      expect(textOf(invalid)).toMatch(/^[A-Z_]+\.[A-Z_]+ \(4\d\d\)/);
    } finally {
      await mcp.close();
    }
  }, 30_000);

  it('runs `npm run demo` to the end: image and vendor jobs, verified webhooks, result, balance and trace ids', async () => {
    const { exit, output } = runNodeScript('demo/demo.ts', {
      CONVEYOR_AUTH_URL: platform.service('auth').url,
      CONVEYOR_JOBS_URL: platform.service('jobs').url,
      CONVEYOR_BILLING_URL: platform.service('billing').url,
      CONVEYOR_WEBHOOKS_URL: platform.service('webhook-delivery').url,
      DEMO_VENDOR_PORT: String(vendorPort),
    });
    const code = await exit;
    const text = output.join('\n');

    expect(code === 0 ? 'exit 0' : text).toBe('exit 0');
    expect(text).toMatch(/jobs\.job\.succeeded\.v1 for image .*signature ok/);
    expect(text).toMatch(/jobs\.job\.succeeded\.v1 for vendor .*signature ok/);
    expect(text).toMatch(/image: image\/webp, \d+×\d+/);
    expect(text).toMatch(/balance: 8 credits available, 0 reserved/);
    expect(text.match(/trace id of \w+ job: [\da-f]{32}/g)).toHaveLength(2);
    const seconds = Number(/Done in ([\d.]+) s/.exec(text)?.[1]);
    expect(seconds).toBeLessThan(60);
  }, 70_000);
});
