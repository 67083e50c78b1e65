import { waitFor } from '@conveyor/testing';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { call, registerAndLogin } from './support/http';
import { SPAN_KIND, startOtlpReceiver, type ReceivedSpan } from './support/otlp-receiver';
import { startPlatform, type Platform } from './support/platform';


/** The spans of a trace whose parent is not in it: just one, the root, once the trace is complete. */
function rootsOf(spans: ReceivedSpan[]): ReceivedSpan[] {
  const ids = new Set(spans.map((span) => span.spanId));
  return spans.filter((span) => !ids.has(span.parentSpanId));
}

/**
 * One job, one trace, across the services as separate processes: the submit request, billing's
 * reservation, the work token that hands the job to a worker, the worker's run, billing's
 * capture, and the webhook request to the client's receiver, which gets the trace in
 * `traceparent`. Registration and the API key's first use reach auth and user in their own
 * traces, so the five services are all seen.
 */
describe('traces across all five services (separate processes, OTLP to a receiver of the test)', () => {
  let platform: Platform;
  let otlp: Awaited<ReturnType<typeof startOtlpReceiver>>;
  let receiver: Server;
  const webhooks: { headers: IncomingHttpHeaders; body: Record<string, unknown> }[] = [];

  beforeAll(async () => {
    otlp = await startOtlpReceiver();
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        webhooks.push({ headers: request.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((listening) => receiver.listen(0, '127.0.0.1', listening));
    platform = await startPlatform({
      services: ['auth', 'user', 'billing', 'jobs', 'webhook-delivery'],
      env: {
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint,
        OTEL_BSP_SCHEDULE_DELAY: '100',
        JOBS_ALLOW_HTTP_WEBHOOKS: 'true',
        JOBS_ALLOW_LOOPBACK_WEBHOOKS: 'true',
        WEBHOOKS_ALLOW_HTTP: 'true',
        WEBHOOKS_ALLOW_LOOPBACK: 'true',
      },
    });
  }, 120_000);
  afterAll(async () => {
    await platform?.stop();
    await otlp?.close();
    receiver?.closeAllConnections();
    await new Promise((closed) => receiver?.close(closed));
  });

  it('follows a job from POST /v1/jobs to the webhook request in one trace', async () => {
    // given a client with an API key the jobs service knows
    const [auth, jobs] = (['auth', 'jobs'] as const).map((name) => platform.service(name).url);
    const user = await registerAndLogin(auth);
    const created = await call(`${auth}/v1/auth/api-keys`, { token: user.token, body: { name: 'trace' } });
    const apiKey = String(created.body['key']);
    await waitFor(async () => (await call(`${jobs}/v1/jobs`, { token: apiKey })).status === 200, {
      description: 'the jobs service to know the API key',
    });

    // when it submits a job with a webhook
    const { port } = receiver.address() as AddressInfo;
    const submitted = await call(`${jobs}/v1/jobs`, {
      token: apiKey,
      body: { type: 'echo', input: { traced: true }, webhookUrl: `http://127.0.0.1:${port}/hook` },
    });
    expect(submitted.status).toBe(202);
    const jobId = String(submitted.body['id']);
    const webhook = await waitFor(() => webhooks.find((hook) => JSON.stringify(hook.body).includes(jobId)), {
      description: "the job's webhook",
      timeoutMs: 20_000,
    });

    // then the submit request starts a trace that the webhook request carries on
    const submitSpan = await waitFor(
      () =>
        otlp.spans.find(
          (span) =>
            span.service === 'jobs' &&
            span.kind === SPAN_KIND.PRODUCER &&
            span.attributes['conveyor.event.subject'] === jobId &&
            span.attributes['conveyor.event.type'] === 'jobs.job.submitted.v1',
        ),
      { description: 'the publish span of the submitted event' },
    );
    const traceId = submitSpan.traceId;
    // which the job names, for the client to quote to support
    expect((await call(`${jobs}/v1/jobs/${jobId}`, { token: apiKey })).body['traceId']).toBe(traceId);
    expect(String(webhook.headers['traceparent'])).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-0[01]$`));

    // and the trace holds every hop, each span under its parent, in jobs, billing and webhook-delivery
    const hops = [
      ['billing', 'jobs.job.submitted.v1'],
      ['jobs', 'billing.credits.reserved.v1'],
      // the work token the reservation wrote, taken by a worker from the jobs.work queue
      ['jobs', 'jobs.work.became_available.v1'],
      ['billing', 'jobs.job.succeeded.v1'],
      ['webhook-delivery', 'jobs.job.succeeded.v1'],
    ] as const;
    const consumerIn = (spans: ReceivedSpan[], [service, type]: (typeof hops)[number]) =>
      spans.find((span) => span.service === service && span.kind === SPAN_KIND.CONSUMER && span.attributes['conveyor.event.type'] === type);
    const trace = await waitFor(
      () => {
        const spans = otlp.spans.filter((span) => span.traceId === traceId);
        const delivered = spans.some((span) => span.service === 'webhook-delivery' && span.kind === SPAN_KIND.CLIENT);
        const everyHop = hops.every((hop) => consumerIn(spans, hop));
        return delivered && everyHop && rootsOf(spans).length === 1 && spans;
      },
      { description: 'a complete span tree for the job', timeoutMs: 15_000 },
    );
    for (const hop of hops) {
      const parent = trace.find((span) => span.spanId === consumerIn(trace, hop)?.parentSpanId);
      expect({ hop, parent: parent?.kind }).toEqual({ hop, parent: SPAN_KIND.PRODUCER });
    }
    const [root] = rootsOf(trace);
    expect(root).toMatchObject({ service: 'jobs', kind: SPAN_KIND.SERVER });
    expect(JSON.stringify(root?.attributes)).toContain('/v1/jobs');
  });

  it('reaches auth and user too: registration (auth → user) and the API key’s first use (jobs → auth)', async () => {
    const [auth, jobs] = (['auth', 'jobs'] as const).map((name) => platform.service(name).url);
    const user = await registerAndLogin(auth);
    const profileConsumer = await waitFor(
      () => otlp.spans.find((span) => span.service === 'user' && span.kind === SPAN_KIND.CONSUMER && span.attributes['conveyor.event.subject'] === user.id),
      { description: "the user service's consumer span of the registration" },
    );
    await waitFor(
      () => otlp.spans.some((span) => span.traceId === profileConsumer.traceId && span.service === 'auth' && span.kind === SPAN_KIND.SERVER),
      { description: 'the register request span in the same trace' },
    );

    const created = await call(`${auth}/v1/auth/api-keys`, { token: user.token, body: { name: 'first use' } });
    const keyId = String(created.body['id']);
    await waitFor(async () => (await call(`${jobs}/v1/jobs`, { token: String(created.body['key']) })).status === 200, {
      description: 'the key to work at the jobs service',
    });
    const usedConsumer = await waitFor(
      () =>
        otlp.spans.find(
          (span) =>
            span.service === 'auth' &&
            span.kind === SPAN_KIND.CONSUMER &&
            span.attributes['conveyor.event.type'] === 'jobs.api_key.used.v1' &&
            span.attributes['conveyor.event.subject'] === keyId,
        ),
      { description: "auth's consumer span of the key's first use" },
    );
    await waitFor(
      () => otlp.spans.some((span) => span.traceId === usedConsumer.traceId && span.service === 'jobs' && span.kind === SPAN_KIND.SERVER),
      { description: "the jobs request span of the key's first use in the same trace" },
    );
  });
});
