import { waitFor } from '@conveyor/testing';
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { startReceiver, verifiesWith, type Receiver } from './receiver';
import {
  createEndpoint,
  deliveriesOf,
  emitted,
  jobEvent,
  newClient,
  settled,
  startWebhooks,
  type WebhooksUnderTest,
} from './webhook-spec-support';

describe('delivering webhooks (real Postgres, RabbitMQ and loopback receivers)', () => {
  let webhooks: WebhooksUnderTest;
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    webhooks = await startWebhooks({
      WEBHOOK_RETRY_SCHEDULE: '0,150ms,300ms,450ms',
      WEBHOOK_BREAKER_FAILURES: '4',
      WEBHOOK_BREAKER_COOLDOWN_SECONDS: '1',
    });
  });
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    await webhooks?.close();
  });

  const receiver = async (...args: Parameters<typeof startReceiver>) => {
    const started = await startReceiver(...args);
    receivers.push(started);
    return started;
  };

  const attemptsOf = async (messageId: string, token: string) =>
    (await webhooks.request('GET', `/v1/webhooks/messages/${messageId}/attempts`, { token })).body['items'] as Record<string, unknown>[];

  it("delivers each terminal job event, signed, to the client's endpoint and to the job's own webhookUrl", async () => {
    // given an endpoint with no event types (the job outcomes) and a job webhookUrl on another receiver
    const client = await newClient();
    const [endpointReceiver, jobReceiver] = [await receiver(), await receiver()];
    const endpoint = await createEndpoint(webhooks, client, { url: endpointReceiver.url });
    const defaultSecret = String((await webhooks.request('GET', '/v1/webhooks/secret', { token: client.token })).body['secret']);

    // when
    const events = (['succeeded', 'failed', 'canceled', 'rejected'] as const).map((o) => jobEvent(o, client.userId, jobReceiver.url));
    for (const event of events) await webhooks.publish(event);

    // then
    for (const [target, secret] of [
      [endpointReceiver, endpoint.secret],
      [jobReceiver, defaultSecret],
    ] as const) {
      await waitFor(() => target.received.length === 4, { description: 'four webhooks' });
      for (const request of target.received) {
        expect(verifiesWith(secret, request)).toBe(true);
        expect(new Webhook(secret).verify(request.body, request.headers as Record<string, string>)).toBeTruthy();
        expect(request.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
      }
      const bodies = target.received.map((r) => JSON.parse(r.body) as { type: string; timestamp: string; data: { jobId: string } });
      expect(bodies.map((b) => b.data.jobId).sort()).toEqual(events.map((e) => e.subject).sort());
      expect(bodies.map((b) => b.type).sort()).toEqual(events.map((e) => e.type).sort());
      for (const body of bodies) expect(body.timestamp).toEqual(events.find((e) => e.subject === body.data.jobId)?.time);
    }
    expect(verifiesWith(endpoint.secret, jobReceiver.received[0])).toBe(false);
    await waitFor(async () => (await emitted(webhooks, 'webhooks.delivery.succeeded.v1')).length >= 8, { description: 'success events' });
  });

  it('retries 500 on the schedule with the same webhook-id until a 200, and logs every attempt', async () => {
    const client = await newClient();
    const target = await receiver((_, i) => (i < 3 ? { status: 500, body: `boom ${i}` } : { status: 200, body: 'ok' }));
    const endpoint = await createEndpoint(webhooks, client, { url: target.url });

    await webhooks.publish(jobEvent('succeeded', client.userId));

    const [delivery] = await settled(webhooks, endpoint.id);
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 4 });
    expect(target.received).toHaveLength(4);
    expect(new Set(target.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    const attempts = await attemptsOf(delivery.message_id, client.token);
    expect(attempts.map((a) => [a['number'], a['outcome'], a['statusCode'], a['responseBody']])).toEqual([
      [1, 'failed', 500, 'boom 0'],
      [2, 'failed', 500, 'boom 1'],
      [3, 'failed', 500, 'boom 2'],
      [4, 'succeeded', 200, 'ok'],
    ]);
    for (const a of attempts) {
      expect(a['startedAt']).toEqual(expect.any(String));
      expect(a['durationMs']).toEqual(expect.any(Number));
    }
    // 0, 150, 300, 450 ms (no jitter in this spec), as the attempt log's clock has them
    const starts = attempts.map((a) => Date.parse(String(a['startedAt'])));
    const ends = attempts.map((a) => Date.parse(String(a['finishedAt'])));
    [150, 300, 450].forEach((delay, i) => expect(starts[i + 1] - ends[i]).toBeGreaterThanOrEqual(delay - 1));
  });

  it('does not retry a 400, lists the message as failed, and replays it on request', async () => {
    const client = await newClient();
    let healthy = false;
    const target = await receiver(() => (healthy ? { status: 200 } : { status: 400, body: 'bad' }));
    const endpoint = await createEndpoint(webhooks, client, { url: target.url });

    await webhooks.publish(jobEvent('failed', client.userId));

    const [delivery] = await settled(webhooks, endpoint.id);
    expect(delivery).toMatchObject({ status: 'exhausted', attempts: 1 });
    expect(target.received).toHaveLength(1);
    const failed = await webhooks.request('GET', '/v1/webhooks/messages?status=failed', { token: client.token });
    expect(failed.body['items']).toEqual([
      expect.objectContaining({ id: delivery.message_id, deliveries: [expect.objectContaining({ status: 'failed', lastStatusCode: 400 })] }),
    ]);
    const exhausted = await emitted(webhooks, 'webhooks.delivery.exhausted.v1');
    expect(exhausted.map((e) => e.subject)).toContain(delivery.message_id);

    healthy = true;
    const replay = await webhooks.request('POST', `/v1/webhooks/messages/${delivery.message_id}/replay`, { token: client.token });
    expect({ status: replay.status, body: replay.body }).toEqual({ status: 202, body: { replayed: 1 } });
    const [replayed] = await settled(webhooks, endpoint.id);
    expect(replayed).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(target.received.map((r) => r.headers['webhook-id'])).toEqual([target.received[0].headers['webhook-id'], target.received[0].headers['webhook-id']]);
    const again = await webhooks.request('POST', `/v1/webhooks/messages/${delivery.message_id}/replay`, { token: client.token });
    expect(again.body).toEqual({ replayed: 0 });
  });

  it('disables the endpoint on 410 and announces webhooks.endpoint.disabled.v1', async () => {
    const client = await newClient();
    const target = await receiver(() => ({ status: 410 }));
    const endpoint = await createEndpoint(webhooks, client, { url: target.url });

    await webhooks.publish(jobEvent('succeeded', client.userId));

    await settled(webhooks, endpoint.id);
    const reply = await webhooks.request('GET', `/v1/webhooks/endpoints/${endpoint.id}`, { token: client.token });
    expect(reply.body).toMatchObject({ status: 'disabled', disabledReason: 'gone' });
    const [disabled] = (await emitted(webhooks, 'webhooks.endpoint.disabled.v1')).filter((e) => e.subject === endpoint.id);
    expect(disabled?.data).toMatchObject({ endpointId: endpoint.id, userId: client.userId, reason: 'gone' });
    // a disabled endpoint gets no new messages
    await webhooks.publish(jobEvent('succeeded', client.userId));
    await webhooks.publish(jobEvent('failed', client.userId, target.url));
    await waitFor(async () => (await webhooks.sql(`SELECT 1 FROM webhooks.messages WHERE user_id = $1`, [client.userId])).length === 2, {
      description: 'the job-url message',
    });
    expect(await deliveriesOf(webhooks, endpoint.id)).toHaveLength(1);
  });

  it('waits as long as Retry-After asks after a 429', async () => {
    const client = await newClient();
    const target = await receiver((_, i) => (i === 0 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 200 }));
    const endpoint = await createEndpoint(webhooks, client, { url: target.url });

    await webhooks.publish(jobEvent('succeeded', client.userId));

    const [delivery] = await settled(webhooks, endpoint.id);
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(target.received[1].at - target.received[0].at).toBeGreaterThanOrEqual(2_000 - 20);
  });

  it('does not follow redirects', async () => {
    const client = await newClient();
    const elsewhere = await receiver();
    const target = await receiver(() => ({ status: 302, headers: { location: elsewhere.url } }));
    const endpoint = await createEndpoint(webhooks, client, { url: target.url });

    await webhooks.publish(jobEvent('succeeded', client.userId));

    const [delivery] = await settled(webhooks, endpoint.id);
    expect(delivery).toMatchObject({ status: 'exhausted', attempts: 4 });
    expect(target.received).toHaveLength(4);
    expect(elsewhere.received).toHaveLength(0);
  });

  it('signs with both secrets during a rotation grace, and with the new one only after it', async () => {
    const client = await newClient();
    const target = await receiver();
    const endpoint = await createEndpoint(webhooks, client, { url: target.url });

    const rotation = await webhooks.request('POST', `/v1/webhooks/endpoints/${endpoint.id}/rotate-secret`, {
      token: client.token,
      body: { graceSeconds: 1 },
    });
    expect(rotation.status).toBe(200);
    const newSecret = String(rotation.body['secret']);
    const graceEnds = Date.parse(String(rotation.body['previousSecretExpiresAt']));

    await webhooks.request('POST', `/v1/webhooks/endpoints/${endpoint.id}/test`, { token: client.token });
    await waitFor(() => target.received.length === 1, { description: 'the test message' });
    const during = target.received[0];
    const signatures = String(during.headers['webhook-signature']).split(' ');
    expect(signatures).toHaveLength(2);
    for (const [secret, signature] of [
      [newSecret, signatures[0]],
      [endpoint.secret, signatures[1]],
    ]) {
      expect(verifiesWith(secret, { ...during, headers: { ...during.headers, 'webhook-signature': signature } })).toBe(true);
      expect(new Webhook(secret).verify(during.body, { ...(during.headers as Record<string, string>), 'webhook-signature': signature })).toBeTruthy();
    }

    await waitFor(() => Date.now() > graceEnds + 50, { description: 'the grace to end', timeoutMs: 5_000 });
    await webhooks.request('POST', `/v1/webhooks/endpoints/${endpoint.id}/test`, { token: client.token });
    await waitFor(() => target.received.length === 2, { description: 'the second test message' });
    const after = target.received[1];
    expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(verifiesWith(newSecret, after)).toBe(true);
    expect(verifiesWith(endpoint.secret, after)).toBe(false);
  });

  it('replays failed messages in bulk: dryRun only counts, without it they are sent', async () => {
    const client = await newClient();
    let healthy = false;
    const target = await receiver(() => ({ status: healthy ? 200 : 400 }));
    const endpoint = await createEndpoint(webhooks, client, { url: target.url });
    const since = new Date(Date.now() - 60_000).toISOString();
    await webhooks.publish(jobEvent('succeeded', client.userId));
    await webhooks.publish(jobEvent('failed', client.userId));
    await settled(webhooks, endpoint.id, 2);
    healthy = true;

    const dry = await webhooks.request('POST', '/v1/webhooks/replay', { token: client.token, body: { since, dryRun: true } });
    expect(dry.body).toEqual({ count: 2, dryRun: true });
    expect((await deliveriesOf(webhooks, endpoint.id)).map((d) => d.status)).toEqual(['exhausted', 'exhausted']);

    const replay = await webhooks.request('POST', '/v1/webhooks/replay', { token: client.token, body: { since, endpointId: endpoint.id } });
    expect(replay.body).toEqual({ count: 2, dryRun: false });
    await waitFor(async () => (await deliveriesOf(webhooks, endpoint.id)).every((d) => d.status === 'succeeded'), {
      description: 'the replayed deliveries to succeed',
    });
    expect(target.received).toHaveLength(4);
    expect(new Set(target.received.map((r) => r.headers['webhook-id'])).size).toBe(2);
  });

  it('sends nothing to an endpoint whose circuit is open until the cool-down probe', async () => {
    // given an endpoint that fails its first 4 requests (the breaker trips at 4 in a row); it is
    // ordered and the messages share a subject, so requests go one at a time
    const client = await newClient();
    const target = await receiver((_, i) => ({ status: i < 4 ? 503 : 200 }));
    const endpoint = await createEndpoint(webhooks, client, { url: target.url, ordered: true });
    const jobId = randomUUID();

    // when 3 messages arrive: the first uses up its 4 attempts and opens the circuit
    for (let i = 0; i < 3; i++) await webhooks.publish(jobEvent('succeeded', client.userId, null, jobId));

    // then the next request is the probe, a cool-down (1 s) later; it succeeds and closes the circuit
    const deliveries = await settled(webhooks, endpoint.id, 3);
    expect(deliveries.map((d) => d.status).sort()).toEqual(['exhausted', 'succeeded', 'succeeded']);
    expect(target.received).toHaveLength(6);
    const [opened] = await webhooks.sql<{ ms: number }>(
      `SELECT (extract(epoch FROM max(a.finished_at)) * 1000)::float8 AS ms
         FROM webhooks.attempts a JOIN webhooks.deliveries d ON d.id = a.delivery_id
        WHERE d.endpoint_id = $1 AND d.status = 'exhausted'`,
      [endpoint.id],
    );
    const [probe] = await webhooks.sql<{ ms: number }>(
      `SELECT (extract(epoch FROM min(started_at)) * 1000)::float8 AS ms FROM webhooks.attempts WHERE endpoint_id = $1 AND outcome = 'succeeded'`,
      [endpoint.id],
    );
    expect(probe.ms - opened.ms).toBeGreaterThanOrEqual(1_000);
    expect(target.received[4].at - target.received[3].at).toBeGreaterThanOrEqual(1_000 - 100);
    const [health] = await webhooks.sql<{ circuit_state: string }>(`SELECT circuit_state FROM webhooks.endpoints WHERE id = $1`, [
      endpoint.id,
    ]);
    expect(health.circuit_state).toBe('closed');
  });
});
