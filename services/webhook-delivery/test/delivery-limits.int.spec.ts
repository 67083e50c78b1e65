import { waitFor } from '@conveyor/testing';
import { randomUUID } from 'node:crypto';
import { startReceiver, type Answer, type Receiver } from './receiver';
import { createEndpoint, emitted, jobEvent, newClient, settled, startWebhooks, type WebhooksUnderTest } from './webhook-spec-support';

describe('delivery limits, ordering and giving up on an endpoint (real Postgres, RabbitMQ, loopback receivers)', () => {
  let webhooks: WebhooksUnderTest;
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    webhooks = await startWebhooks({
      WEBHOOK_ENDPOINT_CONCURRENCY: '2',
      WEBHOOK_RETRY_SCHEDULE: '0,200ms,200ms,200ms,200ms,200ms,200ms,200ms,200ms,200ms',
      WEBHOOK_BREAKER_FAILURES: '100',
      WEBHOOK_DISABLE_AFTER_SECONDS: '1',
    });
  });
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await webhooks?.close();
  });

  const receiver = async (answer?: Parameters<typeof startReceiver>[0]) => {
    const started = await startReceiver(answer);
    receivers.push(started);
    return started;
  };
  const slowly = (ms: number, answer: Answer = { status: 200 }) => new Promise<Answer>((done) => setTimeout(() => done(answer), ms));

  it('keeps at most WEBHOOK_ENDPOINT_CONCURRENCY attempts in flight to one endpoint', async () => {
    const client = await newClient();
    let inFlight = 0;
    let most = 0;
    const target = await receiver(async () => {
      most = Math.max(most, ++inFlight);
      const answer = await slowly(150);
      inFlight--;
      return answer;
    });
    const endpoint = await createEndpoint(webhooks, client, { url: target.url });

    for (let i = 0; i < 6; i++) await webhooks.publish(jobEvent('succeeded', client.userId));

    await settled(webhooks, endpoint.id, 6);
    expect(most).toBe(2);
  });

  it("starts no more attempts in any second than the endpoint's rateLimitPerSecond", async () => {
    const client = await newClient();
    const target = await receiver();
    const endpoint = await createEndpoint(webhooks, client, { url: target.url, rateLimitPerSecond: 2 });

    for (let i = 0; i < 6; i++) await webhooks.publish(jobEvent('succeeded', client.userId));

    await settled(webhooks, endpoint.id, 6);
    // the limiter counts attempts by their start in the database's clock; the receiver's clock
    // adds the network's jitter, so it is checked only loosely
    const started = await webhooks.sql<{ ms: number }>(
      `SELECT (extract(epoch FROM started_at) * 1000)::float8 AS ms FROM webhooks.attempts WHERE endpoint_id = $1 ORDER BY started_at`,
      [endpoint.id],
    );
    expect(started).toHaveLength(6);
    for (let i = 0; i + 2 < started.length; i++) expect(started[i + 2].ms - started[i].ms).toBeGreaterThanOrEqual(1_000);
    const arrived = target.received.map((r) => r.at);
    expect(arrived[5] - arrived[0]).toBeGreaterThanOrEqual(2_000 - 250);
  });

  it('delivers the messages of one subject in order on an ordered endpoint, retries included', async () => {
    // given an ordered endpoint that fails the first request once
    const client = await newClient();
    const target = await receiver((_, i) => ({ status: i === 0 ? 500 : 200 }));
    const endpoint = await createEndpoint(webhooks, client, { url: target.url, ordered: true });
    const jobId = randomUUID();
    const messages = () => webhooks.sql(`SELECT 1 FROM webhooks.messages WHERE user_id = $1`, [client.userId]);

    // when two events of one job arrive, one after the other
    await webhooks.publish(jobEvent('failed', client.userId, null, jobId));
    await waitFor(async () => (await messages()).length === 1, { description: 'the first message' });
    await webhooks.publish(jobEvent('succeeded', client.userId, null, jobId));

    // then the second waits for the first's retry to succeed
    await settled(webhooks, endpoint.id, 2);
    const types = target.received.map((r) => (JSON.parse(r.body) as { type: string }).type);
    expect(types).toEqual(['jobs.job.failed.v1', 'jobs.job.failed.v1', 'jobs.job.succeeded.v1']);
  });

  it('disables an endpoint that keeps failing for WEBHOOK_DISABLE_AFTER_SECONDS and announces it', async () => {
    const client = await newClient();
    const target = await receiver(() => ({ status: 500 }));
    const endpoint = await createEndpoint(webhooks, client, { url: target.url });

    await webhooks.publish(jobEvent('succeeded', client.userId));

    const disabled = await waitFor(
      async () => (await emitted(webhooks, 'webhooks.endpoint.disabled.v1')).find((e) => e.subject === endpoint.id),
      { description: 'the endpoint to be disabled' },
    );
    expect(disabled.data).toMatchObject({ endpointId: endpoint.id, reason: 'failing', failingSince: expect.any(String) });
    const reply = await webhooks.request('GET', `/v1/webhooks/endpoints/${endpoint.id}`, { token: client.token });
    expect(reply.body).toMatchObject({ status: 'disabled', disabledReason: 'failing' });

    // enabling it again sends what waited
    const attemptsSoFar = target.received.length;
    await webhooks.request('PATCH', `/v1/webhooks/endpoints/${endpoint.id}`, { token: client.token, body: { enabled: true } });
    await waitFor(() => target.received.length > attemptsSoFar, { description: 'delivery to resume' });
  });
});
