import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { EventEnvelope } from '@conveyor/contracts';
import type { EventContext } from '@conveyor/messaging';
import { queryRows } from '@conveyor/persistence';
import { randomUUID } from 'node:crypto';
import { EndpointSecrets } from '../../endpoints/endpoint-secrets';
import { SUBSCRIBABLE_EVENTS } from '../../endpoints/subscribable-events';
import { isDeletedUser, lockUser } from '../../users/deleted-users';
import { MessageQueue } from '../message-queue';
import { isTerminalJobEvent, subscribedEndpointIds } from './subscriptions';

/**
 * Every event a client can subscribe to becomes a message for the event's owner (`userId` in
 * its data), delivered to each of the owner's enabled endpoints that subscribe to it (no event
 * types listed: the terminal job events) and, for a terminal job event, to the job's own
 * `webhookUrl`. An event nobody subscribes to, or about a deleted user, leaves nothing behind
 * (SubscriptionPrefilter acks most of those before a transaction). The inbox makes a redelivered
 * event a no-op, in this same transaction.
 */
@Controller()
export class OnPublicEventHandler {
  constructor(
    private readonly messages: MessageQueue,
    private readonly secrets: EndpointSecrets,
  ) {}

  @EventPattern([...SUBSCRIBABLE_EVENTS])
  async handle(@Payload() event: EventEnvelope, @Ctx() context: EventContext): Promise<void> {
    const { manager } = context;
    const data = event.data as { userId: string; webhookUrl?: string | null };
    await lockUser(manager, data.userId, 'event');
    if (await isDeletedUser(manager, data.userId)) return;
    const endpointIds = await subscribedEndpointIds(manager, data.userId, event.type);
    if (isTerminalJobEvent(event.type) && data.webhookUrl) {
      const jobEndpoint = await this.jobUrlEndpoint(context, data.userId, data.webhookUrl);
      if (jobEndpoint) endpointIds.push(jobEndpoint);
    }
    if (endpointIds.length === 0) return;
    await this.messages.enqueue(manager, {
      userId: data.userId,
      eventId: event.id,
      eventType: event.type,
      subject: event.subject,
      time: event.time,
      data: event.data,
      endpointIds,
    });
  }

  /**
   * The endpoint kept for a job's `webhookUrl` (one per client and URL, so its breaker and
   * attempt log span that client's jobs), signed with the client's default secret. None when
   * the endpoint was disabled (410, or failing for days) until the client enables it again.
   */
  private async jobUrlEndpoint({ manager }: EventContext, userId: string, url: string): Promise<string | undefined> {
    await this.secrets.currentDefault(manager, userId);
    await manager.query(
      `INSERT INTO webhooks.endpoints (id, user_id, kind, url) VALUES ($1, $2, 'job_url', $3)
       ON CONFLICT (user_id, url) WHERE kind = 'job_url' DO NOTHING`,
      [randomUUID(), userId, url],
    );
    const [endpoint] = await queryRows<{ id: string; disabled_at: Date | null }>(
      manager,
      `SELECT id, disabled_at FROM webhooks.endpoints WHERE user_id = $1 AND url = $2 AND kind = 'job_url'`,
      [userId, url],
    );
    return endpoint && !endpoint.disabled_at ? endpoint.id : undefined;
  }
}
