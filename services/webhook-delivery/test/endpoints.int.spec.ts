import type { Reply } from '@conveyor/service-testing';
import { createEvent, CreditsReservedV1, JobStartedV1, UserDeletedV1 } from '@conveyor/contracts';
import { scrapeMetrics, waitFor } from '@conveyor/testing';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { startReceiver, type Receiver } from './receiver';
import { createEndpoint, jobEvent, newClient, settled, startWebhooks, type WebhooksUnderTest } from './webhook-spec-support';

describe('webhook endpoints, secrets and the SSRF guard (real Postgres and RabbitMQ)', () => {
  let webhooks: WebhooksUnderTest;
  let receiver: Receiver;

  beforeAll(async () => {
    // http allowed, loopback not: as a developer machine, without the tests' allowance
    webhooks = await startWebhooks({ WEBHOOKS_ALLOW_LOOPBACK: 'false' });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await webhooks?.close();
  });

  const expectProblem = (reply: Reply, status: number, code: string) => {
    expect({ status: reply.status, code: reply.body['code'] }).toEqual({ status, code });
    expect(reply.contentType).toMatch(/^application\/problem\+json/);
  };

  it('creates an endpoint and shows its whsec_ secret once', async () => {
    const client = await newClient();
    const created = await webhooks.request('POST', '/v1/webhooks/endpoints', {
      token: client.token,
      body: { url: 'https://93.184.215.14/hook', eventTypes: ['jobs.job.succeeded.v1'], description: 'orders', rateLimitPerSecond: 5 },
    });

    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.any(String),
      url: 'https://93.184.215.14/hook',
      eventTypes: ['jobs.job.succeeded.v1'],
      description: 'orders',
      rateLimitPerSecond: 5,
      status: 'enabled',
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/=]{44}$/),
    });
    const id = String(created.body['id']);
    const got = await webhooks.request('GET', `/v1/webhooks/endpoints/${id}`, { token: client.token });
    expect(got.body).not.toHaveProperty('secret');
    const listed = await webhooks.request('GET', '/v1/webhooks/endpoints', { token: client.token });
    expect((listed.body['items'] as { id: string }[]).map((e) => e.id)).toEqual([id]);
  });

  it('stores secrets encrypted, never in plain text', async () => {
    const client = await newClient();
    const { id, secret } = await createEndpoint(webhooks, client, { url: 'https://93.184.215.14/a' });
    const rows = await webhooks.sql<{ sealed: string }>(`SELECT sealed FROM webhooks.secrets WHERE endpoint_id = $1`, [id]);
    expect(rows).toHaveLength(1);
    expect(rows[0].sealed).not.toContain(secret.slice('whsec_'.length, 20));
    expect(rows[0].sealed).toMatch(/^v1\./);
  });

  it('updates, disables and deletes an endpoint', async () => {
    const client = await newClient();
    const { id } = await createEndpoint(webhooks, client, { url: 'https://93.184.215.14/a' });

    const updated = await webhooks.request('PATCH', `/v1/webhooks/endpoints/${id}`, {
      token: client.token,
      body: { url: 'https://93.184.215.14/b', enabled: false, ordered: true },
    });
    expect(updated.body).toMatchObject({ url: 'https://93.184.215.14/b', status: 'disabled', ordered: true, disabledReason: 'by_owner' });

    expect((await webhooks.request('DELETE', `/v1/webhooks/endpoints/${id}`, { token: client.token })).status).toBe(204);
    expectProblem(await webhooks.request('GET', `/v1/webhooks/endpoints/${id}`, { token: client.token }), 404, 'WEBHOOKS.ENDPOINT_NOT_FOUND');
  });

  it("answers 404 for another client's endpoint and for ids that are not UUIDs", async () => {
    const [owner, other] = [await newClient(), await newClient()];
    const { id } = await createEndpoint(webhooks, owner, { url: 'https://93.184.215.14/a' });

    for (const [method, path] of [
      ['GET', `/v1/webhooks/endpoints/${id}`],
      ['PATCH', `/v1/webhooks/endpoints/${id}`],
      ['DELETE', `/v1/webhooks/endpoints/${id}`],
      ['POST', `/v1/webhooks/endpoints/${id}/rotate-secret`],
      ['POST', `/v1/webhooks/endpoints/${id}/test`],
      ['GET', '/v1/webhooks/endpoints/not-a-uuid'],
    ]) {
      const body = method === 'PATCH' ? { description: 'mine now' } : undefined;
      expectProblem(await webhooks.request(method, path, { token: other.token, body }), 404, 'WEBHOOKS.ENDPOINT_NOT_FOUND');
    }
    expectProblem(await webhooks.request('GET', '/v1/webhooks/messages/nope/attempts', { token: other.token }), 404, 'WEBHOOKS.MESSAGE_NOT_FOUND');
  });

  it('refuses bad input with 400 problem details', async () => {
    const client = await newClient();
    for (const body of [
      {},
      { url: 42 },
      { url: 'https://93.184.215.14/', eventTypes: ['no.such.event.v1'] },
      { url: 'https://93.184.215.14/', eventTypes: ['webhooks.delivery.succeeded.v1'] },
      { url: 'https://93.184.215.14/', rateLimitPerSecond: 0 },
    ]) {
      expectProblem(await webhooks.request('POST', '/v1/webhooks/endpoints', { token: client.token, body }), 400, 'REQUEST.INVALID');
    }
    expectProblem(await webhooks.request('POST', '/v1/webhooks/replay', { token: client.token, body: { since: 'yesterday' } }), 400, 'REQUEST.INVALID');
    expectProblem(await webhooks.request('GET', '/v1/webhooks/messages?cursor=zzz', { token: client.token }), 400, 'WEBHOOKS.INVALID_CURSOR');
    expectProblem(await webhooks.request('GET', '/v1/webhooks/endpoints'), 401, 'AUTH.UNAUTHENTICATED');
  });

  it.each([
    ['loopback (no test allowance here)', 'http://127.0.0.1:8080/hook'],
    ['a name that resolves to loopback', 'http://localhost/hook'],
    ['a private address', 'https://10.1.2.3/hook'],
    ['a private address', 'https://192.168.1.1/hook'],
    ['the metadata address', 'http://169.254.169.254/latest/meta-data'],
    ['IPv6 loopback', 'https://[::1]/hook'],
    ['IPv6 unique local', 'https://[fd00:ec2::254]/hook'],
    ['IPv6 link-local', 'https://[fe80::1]/hook'],
    ['IPv4-mapped IPv6 loopback', 'https://[::ffff:127.0.0.1]/hook'],
    ['credentials in the URL', 'https://user:pw@93.184.215.14/hook'],
    ['another scheme', 'ftp://93.184.215.14/hook'],
  ])('refuses an endpoint URL pointing at %s when it is saved', async (_, url) => {
    const client = await newClient();
    const reply = await webhooks.request('POST', '/v1/webhooks/endpoints', { token: client.token, body: { url } });
    expectProblem(reply, 422, 'WEBHOOKS.ENDPOINT_URL_REFUSED');
    expect(reply.body['reason']).toEqual(expect.any(String));
  });

  it('refuses to deliver to a URL that reaches loopback at delivery time', async () => {
    // given an endpoint saved while its URL was acceptable (here: written directly)
    const client = await newClient();
    const { id } = await createEndpoint(webhooks, client, { url: 'https://93.184.215.14/hook' });
    await webhooks.sql(`UPDATE webhooks.endpoints SET url = $2 WHERE id = $1`, [id, receiver.url]);

    // when
    await webhooks.publish(jobEvent('succeeded', client.userId));

    // then the attempt is refused, recorded, and not retried
    const [delivery] = await settled(webhooks, id);
    expect(delivery).toMatchObject({ status: 'exhausted', attempts: 1 });
    const attempts = await webhooks.request('GET', `/v1/webhooks/messages/${delivery.message_id}/attempts`, { token: client.token });
    expect((attempts.body['items'] as { error: string }[])[0].error).toMatch(/^(URL_REFUSED|ADDRESS_BLOCKED)/);
    expect(receiver.received).toHaveLength(0);
  });

  it('keeps admin routes for admins, who see every client', async () => {
    const [client, admin] = [await newClient(), await newClient(['admin'])];
    expectProblem(await webhooks.request('GET', '/v1/webhooks/admin/messages', { token: client.token }), 403, 'AUTH.FORBIDDEN');
    const { id } = await createEndpoint(webhooks, client, { url: 'https://93.184.215.14/hook' });
    await webhooks.sql(`UPDATE webhooks.endpoints SET url = $2 WHERE id = $1`, [id, receiver.url]);
    await webhooks.publish(jobEvent('failed', client.userId));
    await settled(webhooks, id);

    const failed = await webhooks.request('GET', `/v1/webhooks/admin/messages?status=failed&userId=${client.userId}`, { token: admin.token });
    expect(failed.body['items']).toEqual([expect.objectContaining({ userId: client.userId, eventType: 'jobs.job.failed.v1' })]);
    const dry = await webhooks.request('POST', '/v1/webhooks/admin/replay', {
      token: admin.token,
      body: { since: new Date(Date.now() - 60_000).toISOString(), userId: client.userId, dryRun: true },
    });
    expect(dry.body).toEqual({ count: 1, dryRun: true });
  });

  it("lists the endpoint kept for jobs' own webhookUrl, of which only enabled can change", async () => {
    const client = await newClient();
    // a private address: refused at delivery, so nothing leaves this machine
    await webhooks.publish(jobEvent('failed', client.userId, 'http://10.0.0.1/job-hook'));

    const [jobUrl] = await waitFor(
      async () => {
        const listed = await webhooks.request('GET', '/v1/webhooks/endpoints', { token: client.token });
        const items = listed.body['items'] as { id: string; kind: string; url: string }[];
        return items.length === 1 && items;
      },
      { description: 'the job-url endpoint' },
    );
    expect(jobUrl).toMatchObject({ kind: 'job_url', url: 'http://10.0.0.1/job-hook' });
    const path = `/v1/webhooks/endpoints/${jobUrl.id}`;
    expectProblem(
      await webhooks.request('PATCH', path, { token: client.token, body: { url: 'https://93.184.215.14/x' } }),
      409,
      'WEBHOOKS.JOB_URL_ENDPOINT_FIXED',
    );
    const disabled = await webhooks.request('PATCH', path, { token: client.token, body: { enabled: false } });
    expect(disabled.body).toMatchObject({ kind: 'job_url', status: 'disabled' });
  });

  it('makes one message per event, however often the event is delivered', async () => {
    const client = await newClient();
    const { id } = await createEndpoint(webhooks, client, { url: 'https://93.184.215.14/hook', eventTypes: ['jobs.job.started.v1', 'jobs.job.succeeded.v1'] });
    await webhooks.sql(`UPDATE webhooks.endpoints SET url = $2 WHERE id = $1`, [id, receiver.url]); // no request leaves the machine
    const event = jobEvent('succeeded', client.userId);

    await webhooks.publish(event);
    await webhooks.publish(event);

    await waitFor(async () => (await webhooks.sql(`SELECT 1 FROM webhooks.inbox WHERE event_id = $1`, [event.id])).length === 1, {
      description: 'the event to be applied',
    });
    const messages = await waitFor(
      async () => {
        const rows = await webhooks.sql(`SELECT id FROM webhooks.messages WHERE event_id = $1`, [event.id]);
        return rows.length > 0 && rows;
      },
      { description: 'the message' },
    );
    expect(messages).toHaveLength(1);
  });

  it('acks an event nobody subscribes to without a transaction, and makes a message of it once an endpoint subscribes', async () => {
    const client = await newClient();
    const started = () =>
      createEvent(JobStartedV1, { source: '/conveyor/jobs', subject: randomUUID(), data: { ...JobStartedV1.example, userId: client.userId } });
    const skipped = async () =>
      (await scrapeMetrics(webhooks.url)).value('conveyor_events_consumed_total', { type: JobStartedV1.type, outcome: 'skipped' });
    const before = await skipped();

    const unheard = started();
    await webhooks.publish(unheard);

    await waitFor(async () => (await skipped()) === before + 1, { description: 'the event to be skipped' });
    expect(await webhooks.sql(`SELECT 1 FROM webhooks.inbox WHERE event_id = $1`, [unheard.id])).toHaveLength(0);

    const { id } = await createEndpoint(webhooks, client, { url: 'https://93.184.215.14/hook', eventTypes: [JobStartedV1.type] });
    await webhooks.sql(`UPDATE webhooks.endpoints SET url = $2 WHERE id = $1`, [id, receiver.url]); // no request leaves the machine
    const heard = started();
    await webhooks.publish(heard);

    await waitFor(async () => (await webhooks.sql(`SELECT 1 FROM webhooks.messages WHERE event_id = $1`, [heard.id])).length === 1, {
      description: 'the message of the subscribed event',
    });
    expect(await skipped()).toBe(before + 1);
  });

  it("makes one subject's events into messages one at a time (for ordered endpoints)", async () => {
    const client = await newClient();
    const { id } = await createEndpoint(webhooks, client, { url: 'https://93.184.215.14/hook', ordered: true });
    await webhooks.sql(`UPDATE webhooks.endpoints SET url = $2 WHERE id = $1`, [id, receiver.url]); // no request leaves the machine
    const event = jobEvent('succeeded', client.userId);
    const holder = new Client({ connectionString: webhooks.database.adminUrl });
    await holder.connect();
    try {
      // given another transaction making a message of the same subject
      await holder.query('BEGIN');
      await holder.query(`SELECT pg_advisory_xact_lock(hashtext('webhooks.subject'), hashtext($1))`, [event.subject]);

      // when the event arrives, it waits for that transaction
      await webhooks.publish(event);
      await waitFor(
        async () =>
          (await webhooks.sql(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'advisory'`)).length === 1,
        { description: 'the event to wait for the subject' },
      );
      expect(await webhooks.sql(`SELECT 1 FROM webhooks.messages WHERE event_id = $1`, [event.id])).toHaveLength(0);
      await holder.query('COMMIT');
    } finally {
      await holder.end();
    }

    // then makes its message once that one committed
    await waitFor(async () => (await webhooks.sql(`SELECT 1 FROM webhooks.messages WHERE event_id = $1`, [event.id])).length === 1, {
      description: 'the message',
    });
  });

  it("disables a deleted user's endpoints, though no endpoint subscribes to the deletion itself", async () => {
    const client = await newClient();
    const { id } = await createEndpoint(webhooks, client, { url: 'https://93.184.215.14/hook' });

    await webhooks.publish(
      createEvent(UserDeletedV1, { source: '/conveyor/user', subject: client.userId, data: { ...UserDeletedV1.example, userId: client.userId } }),
    );

    await waitFor(
      async () => (await webhooks.sql(`SELECT 1 FROM webhooks.endpoints WHERE id = $1 AND disabled_reason = 'user_deleted'`, [id])).length === 1,
      { description: 'the endpoint to be disabled' },
    );
  });

  it('makes messages of any subscribed event of the client, not only job outcomes', async () => {
    const client = await newClient();
    const { id } = await createEndpoint(webhooks, client, { url: 'https://93.184.215.14/hook', eventTypes: ['billing.credits.reserved.v1'] });
    await webhooks.sql(`UPDATE webhooks.endpoints SET url = $2 WHERE id = $1`, [id, receiver.url]); // no request leaves the machine
    const reserved = createEvent(CreditsReservedV1, {
      source: '/conveyor/billing',
      subject: randomUUID(),
      data: { ...CreditsReservedV1.example, userId: client.userId },
    });

    await webhooks.publish(jobEvent('succeeded', client.userId));
    await webhooks.publish(reserved);

    const [message] = await waitFor(
      async () => {
        const rows = await webhooks.sql<{ event_type: string; body: string }>(`SELECT event_type, body FROM webhooks.messages WHERE user_id = $1`, [
          client.userId,
        ]);
        return rows.length > 0 && rows;
      },
      { description: 'the billing message' },
    );
    expect(message.event_type).toBe('billing.credits.reserved.v1');
    expect(JSON.parse(message.body)).toEqual({ type: 'billing.credits.reserved.v1', timestamp: reserved.time, data: reserved.data });
  });
});
