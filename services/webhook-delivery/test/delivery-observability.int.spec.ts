import { scrapeMetrics, startInMemoryTracing, waitFor, type InMemoryTracing } from '@conveyor/testing';
import { Attr } from '@conveyor/tracing';
import { randomBytes } from 'node:crypto';
import { startReceiver, type Receiver } from './receiver';
import { createEndpoint, emitted, jobEvent, newClient, settled, startWebhooks, type WebhooksUnderTest } from './webhook-spec-support';

describe('traces and metrics of deliveries (real Postgres, RabbitMQ and a loopback receiver)', () => {
  let tracing: InMemoryTracing;
  let webhooks: WebhooksUnderTest;
  let receiver: Receiver;

  beforeAll(async () => {
    tracing = startInMemoryTracing();
    webhooks = await startWebhooks();
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await webhooks?.close();
    await tracing?.shutdown();
  });

  it('runs each attempt, and writes its outcome event, in the trace of the job event', async () => {
    const client = await newClient();
    const endpoint = await createEndpoint(webhooks, client, { url: receiver.url });
    const traceId = randomBytes(16).toString('hex');
    const event = { ...jobEvent('succeeded', client.userId), traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` };

    await webhooks.publish(event);

    const span = await waitFor(
      () => tracing.spans().find((s) => s.name === 'deliver webhook' && s.attributes[Attr.webhookEndpointId] === endpoint.id),
      { description: 'the attempt span' },
    );
    expect(span.spanContext().traceId).toBe(traceId);
    expect(span.attributes).toMatchObject({ [Attr.userId]: client.userId, [Attr.eventType]: event.type, [Attr.webhookAttempt]: 1 });
    await waitFor(async () => (await emitted(webhooks, 'webhooks.delivery.succeeded.v1')).length === 1, { description: 'the success event' });
    const [row] = await webhooks.sql<{ trace_context: { traceparent?: string } }>(
      `SELECT trace_context FROM webhooks.outbox WHERE event_type = 'webhooks.delivery.succeeded.v1'`,
    );
    expect(row.trace_context.traceparent).toContain(traceId);
  });

  it('counts attempts by answer and outcome in /metrics', async () => {
    const client = await newClient();
    const failing = await startReceiver(() => ({ status: 400 }));
    try {
      const [ok, bad] = [
        await createEndpoint(webhooks, client, { url: receiver.url }),
        await createEndpoint(webhooks, client, { url: failing.url }),
      ];
      const before = await scrapeMetrics(webhooks.url);

      await webhooks.publish(jobEvent('failed', client.userId));

      await settled(webhooks, ok.id);
      await settled(webhooks, bad.id);
      const after = await scrapeMetrics(webhooks.url);
      const delta = (labels: Record<string, string>) =>
        after.value('conveyor_webhook_attempts_total', labels) - before.value('conveyor_webhook_attempts_total', labels);
      expect(delta({ answer: '2xx', outcome: 'succeeded' })).toBe(1);
      expect(delta({ answer: '4xx', outcome: 'exhausted' })).toBe(1);
      expect(after.value('conveyor_webhook_attempt_duration_seconds_count')).toBe(before.value('conveyor_webhook_attempt_duration_seconds_count') + 2);
      expect(after.names).toContain('conveyor_webhook_attempts_in_flight');
      // every endpoint is counted by breaker state (other specs' endpoints too: at least these two)
      const [closed] = await webhooks.sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM webhooks.endpoints WHERE disabled_at IS NULL AND circuit_state = 'closed'`,
      );
      expect(after.value('conveyor_webhook_endpoints', { state: 'closed' })).toBe(closed?.n);
      expect(closed?.n).toBeGreaterThanOrEqual(2);
    } finally {
      await failing.close();
    }
  });
});
