import {
  itFuzzesTheService,
  refusedTokens,
  signAccessToken,
  type FuzzCredentials,
  type FuzzRoute,
} from '@conveyor/service-testing';
import { waitFor } from '@conveyor/testing';
import { randomUUID } from 'node:crypto';
import { createEndpoint, jobEvent, startWebhooks, type WebhooksUnderTest } from './webhook-spec-support';

/** Nothing listens there: deliveries fail fast, and are retried on a schedule of milliseconds. */
const DEAD_END = 'http://127.0.0.1:9/hook';

describe('webhook-delivery HTTP API and event queue under fuzzing (seeded; FUZZ_RUNS scales it)', () => {
  let webhooks: WebhooksUnderTest;
  let credentials: FuzzCredentials;
  let routes: FuzzRoute[];

  beforeAll(async () => {
    // One attempt per delivery, so the background work is over before the fuzz starts.
    webhooks = await startWebhooks({ WEBHOOK_RETRY_SCHEDULE: '0' });
    const userId = randomUUID();
    const client = { userId, token: await signAccessToken({ userId, roles: ['user', 'admin'] }) };
    const endpoint = await createEndpoint(webhooks, client, { url: DEAD_END, description: 'fuzz' });
    await webhooks.publish(jobEvent('succeeded', userId));
    const [message] = await waitFor(
      async () => {
        const rows = await webhooks.sql<{ id: string }>(
          `SELECT m.id FROM webhooks.messages m WHERE NOT EXISTS (SELECT 1 FROM webhooks.deliveries d WHERE d.message_id = m.id AND d.status = 'pending')`,
        );
      return rows.length > 0 && rows;
      },
      { description: 'the message to be delivered and exhausted' },
    );
    credentials = { valid: client.token, refused: Object.values(await refusedTokens(userId)) };
    const id = { id: endpoint.id };
    const messageId = { id: String(message?.id) };
    routes = [
      { method: 'POST', path: '/v1/webhooks/endpoints', body: { url: DEAD_END, eventTypes: ['jobs.job.succeeded.v1'], description: 'd', rateLimitPerSecond: 5, ordered: false }, auth: true },
      { method: 'GET', path: '/v1/webhooks/endpoints', auth: true },
      { method: 'GET', path: '/v1/webhooks/endpoints/:id', params: id, auth: true },
      { method: 'PATCH', path: '/v1/webhooks/endpoints/:id', params: id, body: { description: 'changed', enabled: true }, auth: true },
      { method: 'DELETE', path: '/v1/webhooks/endpoints/:id', params: { id: randomUUID() }, auth: true },
      { method: 'POST', path: '/v1/webhooks/endpoints/:id/rotate-secret', params: id, body: { graceSeconds: 60 }, auth: true },
      { method: 'POST', path: '/v1/webhooks/endpoints/:id/test', params: { id: randomUUID() }, auth: true },
      { method: 'GET', path: '/v1/webhooks/secret', auth: true },
      { method: 'POST', path: '/v1/webhooks/secret/rotate', body: { graceSeconds: 0 }, auth: true },
      { method: 'GET', path: '/v1/webhooks/messages', query: { status: 'failed', limit: '5' }, auth: true },
      { method: 'GET', path: '/v1/webhooks/messages/:id/attempts', params: messageId, auth: true },
      { method: 'POST', path: '/v1/webhooks/messages/:id/replay', params: { id: randomUUID() }, auth: true },
      { method: 'POST', path: '/v1/webhooks/replay', body: { since: '2020-01-01T00:00:00Z', dryRun: true }, auth: true },
      { method: 'GET', path: '/v1/webhooks/admin/messages', query: { status: 'failed', userId, limit: '5' }, auth: true },
      { method: 'GET', path: '/v1/webhooks/admin/messages/:id/attempts', params: messageId, auth: true },
      { method: 'POST', path: '/v1/webhooks/admin/messages/:id/replay', params: { id: randomUUID() }, auth: true },
      { method: 'POST', path: '/v1/webhooks/admin/replay', body: { since: '2020-01-01T00:00:00Z', userId, dryRun: true }, auth: true },
    ];
  });

  afterAll(() => webhooks?.close());

  itFuzzesTheService(() => ({
    service: webhooks,
    schema: 'webhooks',
    routes,
    credentials,
    consumes: ['jobs.job.succeeded.v1', 'jobs.job.failed.v1', 'jobs.job.canceled.v1', 'jobs.job.rejected.v1', 'jobs.job.submitted.v1', 'billing.credits.reserved.v1', 'auth.api_key.created.v1'],
    // With a webhookUrl of its own, so that it concerns the service whoever its owner is (see SubscriptionPrefilter).
    validEvent: () => jobEvent('succeeded', randomUUID(), DEAD_END),
  }));
});
