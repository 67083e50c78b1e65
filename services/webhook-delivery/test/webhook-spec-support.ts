import { createEvent, JobCanceledV1, JobFailedV1, JobRejectedV1, JobSucceededV1, type EventEnvelope } from '@conveyor/contracts';
import { signAccessToken, startServiceUnderTest, type ServiceUnderTest } from '@conveyor/service-testing';
import { waitFor } from '@conveyor/testing';
import { randomUUID } from 'node:crypto';
import type { WebhookDeliveryConfig } from '../src/webhook-delivery.config';
import { webhookDeliveryService } from '../src/webhook-delivery.definition';

export type WebhooksUnderTest = ServiceUnderTest<WebhookDeliveryConfig>;

/** Loopback receivers allowed, a fast poll and a schedule scaled down to milliseconds. */
export function startWebhooks(env: Record<string, string> = {}): Promise<WebhooksUnderTest> {
  return startServiceUnderTest(webhookDeliveryService, {
    WEBHOOKS_ALLOW_HTTP: 'true',
    WEBHOOKS_ALLOW_LOOPBACK: 'true',
    WEBHOOK_RETRY_SCHEDULE: '0,300ms,600ms,900ms',
    WEBHOOK_RETRY_JITTER: '0',
    WEBHOOK_POLL_INTERVAL_MS: '50',
    WEBHOOK_REQUEST_TIMEOUT_MS: '2000',
    ...env,
  });
}

export interface Client {
  userId: string;
  token: string;
}

export async function newClient(roles: string[] = ['user']): Promise<Client> {
  const userId = randomUUID();
  return { userId, token: await signAccessToken({ userId, roles }) };
}

export async function createEndpoint(service: WebhooksUnderTest, client: Client, body: Record<string, unknown>) {
  const reply = await service.request('POST', '/v1/webhooks/endpoints', { token: client.token, body });
  if (reply.status !== 201) throw new Error(`endpoint not created: ${reply.status} ${reply.text}`);
  return { id: String(reply.body['id']), secret: String(reply.body['secret']) };
}

type Outcome = 'succeeded' | 'failed' | 'canceled' | 'rejected';

/** A terminal job event of one client, as the jobs service would publish it. */
export function jobEvent(outcome: Outcome, userId: string, webhookUrl: string | null = null, jobId = randomUUID()): EventEnvelope {
  const common = { source: '/conveyor/jobs', subject: jobId };
  switch (outcome) {
    case 'succeeded':
      return createEvent(JobSucceededV1, { ...common, data: { ...JobSucceededV1.example, jobId, userId, webhookUrl } });
    case 'failed':
      return createEvent(JobFailedV1, { ...common, data: { ...JobFailedV1.example, jobId, userId, webhookUrl } });
    case 'canceled':
      return createEvent(JobCanceledV1, { ...common, data: { ...JobCanceledV1.example, jobId, userId, webhookUrl } });
    case 'rejected':
      return createEvent(JobRejectedV1, { ...common, data: { ...JobRejectedV1.example, jobId, userId, webhookUrl } });
  }
}

export interface DeliveryState {
  status: string;
  attempts: number;
}

export function deliveriesOf(service: WebhooksUnderTest, endpointId: string) {
  return service.sql<DeliveryState & { message_id: string }>(
    `SELECT message_id, status, attempts FROM webhooks.deliveries WHERE endpoint_id = $1 ORDER BY seq`,
    [endpointId],
  );
}

/** Waits until every delivery to the endpoint has ended (and there are `count` of them). */
export function settled(service: WebhooksUnderTest, endpointId: string, count = 1) {
  return waitFor(
    async () => {
      const rows = await deliveriesOf(service, endpointId);
      return rows.length === count && rows.every((r) => r.status !== 'pending') && rows;
    },
    { description: `${count} deliveries to ${endpointId} to end`, timeoutMs: 15_000 },
  );
}

export async function emitted(service: WebhooksUnderTest, type: string) {
  const rows = await service.sql<{ envelope: EventEnvelope }>(`SELECT envelope FROM webhooks.outbox WHERE event_type = $1 ORDER BY seq`, [type]);
  return rows.map((r) => r.envelope);
}
