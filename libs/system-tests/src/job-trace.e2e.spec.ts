import { waitFor } from '@conveyor/testing';
import { Attr } from '@conveyor/tracing';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { call, registerAndLogin } from './support/http';
import { SPAN_KIND, startOtlpReceiver, type ReceivedSpan } from './support/otlp-receiver';
import { startPlatform, type Platform } from './support/platform';


/** The spans of a trace whose parent is not in it: just one, the root, once the trace is complete. */
function rootsOf(spans: ReceivedSpan[]): ReceivedSpan[] {
  const ids = new Set(spans.map((span) => span.spanId));
  return spans.filter((span) => !ids.has(span.parentSpanId));
}

/** The span, then its parent, and so on up to the first span whose parent is not in `spans`. */
function ancestryOf(spans: ReceivedSpan[], span: ReceivedSpan): ReceivedSpan[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const chain = [span];
  for (let parent = byId.get(span.parentSpanId); parent && !chain.includes(parent); parent = byId.get(parent.parentSpanId)) {
    chain.push(parent);
  }
  return chain;
}

const FIVE_SERVICES = ['auth', 'billing', 'jobs', 'user', 'webhook-delivery'];

/**
 * One job, one trace, across the five services as separate processes: the submit request (the
 * API key's first use, which jobs reports to auth), billing's reservation, the work token that
 * hands the job to a worker, the worker's run, billing's capture, the user service's count of the
 * job on the profile, and the webhook request to the client's receiver, which gets the trace in
 * `traceparent`. Registration reaches auth and user in a trace of its own.
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
    // given a client with an API key the jobs service knows but has not seen used yet: the
    // projection is watched in the database, since any request with the key would be its first use
    const [auth, jobs, users] = (['auth', 'jobs', 'user'] as const).map((name) => platform.service(name).url);
    const client = await registerAndLogin(auth);
    const created = await call(`${auth}/v1/auth/api-keys`, { token: client.token, body: { name: 'trace' } });
    const apiKey = String(created.body['key']);
    const keyId = String(created.body['id']);
    const db = new Client({ connectionString: platform.db.adminUrl });
    await db.connect();
    try {
      await waitFor(async () => (await db.query('SELECT 1 FROM jobs.api_keys WHERE key_id = $1 AND last_used_at IS NULL', [keyId])).rowCount === 1, {
        description: 'the jobs service to know the API key',
        timeoutMs: 20_000,
      });
    } finally {
      await db.end();
    }

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

    // and the trace holds every hop, each consumer span under its producer's span, in all five services
    const hops = [
      ['auth', 'jobs.api_key.used.v1'],
      ['billing', 'jobs.job.submitted.v1'],
      ['jobs', 'billing.credits.reserved.v1'],
      // the work token the reservation wrote, taken by a worker from the jobs.work queue
      ['jobs', 'jobs.work.became_available.v1'],
      ['billing', 'jobs.job.succeeded.v1'],
      ['user', 'jobs.job.succeeded.v1'],
      ['webhook-delivery', 'jobs.job.succeeded.v1'],
    ] as const;
    const consumerIn = (spans: ReceivedSpan[], [service, type]: (typeof hops)[number]) =>
      spans.find((span) => span.service === service && span.kind === SPAN_KIND.CONSUMER && span.attributes[Attr.eventType] === type);
    const trace = await waitFor(
      () => {
        const spans = otlp.spans.filter((span) => span.traceId === traceId);
        const delivered = spans.some((span) => span.service === 'webhook-delivery' && span.kind === SPAN_KIND.CLIENT);
        const everyHop = hops.every((hop) => consumerIn(spans, hop));
        return delivered && everyHop && rootsOf(spans).length === 1 && spans;
      },
      { description: 'a complete span tree for the job', timeoutMs: 20_000 },
    );
    expect([...new Set(trace.map((span) => span.service))].sort()).toEqual(FIVE_SERVICES);
    for (const hop of hops) {
      const parent = trace.find((span) => span.spanId === consumerIn(trace, hop)?.parentSpanId);
      expect({ hop, parent: parent?.kind }).toEqual({ hop, parent: SPAN_KIND.PRODUCER });
    }
    const [root] = rootsOf(trace);
    expect(root).toMatchObject({ service: 'jobs', kind: SPAN_KIND.SERVER });
    expect(JSON.stringify(root?.attributes)).toContain('/v1/jobs');

    // auth's and user's consumer spans descend from the submit request, through jobs' publish spans
    const used = consumerIn(trace, hops[0]);
    const counted = consumerIn(trace, hops[4]);
    for (const [span, subject] of [
      [used, keyId],
      [counted, jobId],
    ] as const) {
      const chain = ancestryOf(trace, span as ReceivedSpan);
      expect(chain.at(-1)?.spanId).toBe(root?.spanId);
      expect(chain[1]).toMatchObject({ service: 'jobs', kind: SPAN_KIND.PRODUCER });
      // with the messaging attributes every consumer span carries
      expect(span?.attributes).toMatchObject({
        [Attr.messagingSystem]: 'rabbitmq',
        [Attr.messagingOperationType]: 'process',
        [Attr.messagingDestination]: `${String(platform.env['AMQP_NAMESPACE'])}.${span?.service}.events`,
        [Attr.messagingConsumerGroup]: span?.service,
        [Attr.eventSubject]: subject,
        [Attr.inboxOutcome]: 'APPLIED',
      });
    }
    // and the user service counted the job on the owner's profile
    const profile = await call(`${users}/v1/users/me`, { token: client.token });
    expect(profile.body['activity']).toMatchObject({ succeeded: 1, failed: 0, canceled: 0 });
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
