import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { MessageQueue, webhookIdOf } from '../../messages/message-queue';
import { assertEndpointId, EndpointDisabledError, EndpointNotFoundError } from '../endpoints.errors';

/** The `type` of a test message; not a platform event, so nobody can subscribe to it. */
export const TEST_EVENT_TYPE = 'webhooks.test';

/** Queues a signed test message for one endpoint alone, delivered and retried like any other. */
@Injectable()
export class SendTestMessageHandler {
  constructor(
    private readonly dataSource: DataSource,
    private readonly messages: MessageQueue,
  ) {}

  execute(userId: string, endpointId: string): Promise<{ messageId: string; webhookId: string }> {
    assertEndpointId(endpointId);
    return this.dataSource.transaction(async (manager) => {
      const [endpoint] = await manager.query<{ disabled_at: Date | null }[]>(
        `SELECT disabled_at FROM webhooks.endpoints WHERE id = $1 AND user_id = $2 AND kind = 'subscription'`,
        [endpointId, userId],
      );
      if (!endpoint) throw new EndpointNotFoundError();
      if (endpoint.disabled_at) throw new EndpointDisabledError();
      const time = new Date().toISOString();
      const messageId = await this.messages.enqueue(manager, {
        userId,
        eventId: null,
        eventType: TEST_EVENT_TYPE,
        subject: endpointId,
        time,
        data: { endpointId, message: 'This is a test message from Conveyor.', sentAt: time },
        endpointIds: [endpointId],
      });
      return { messageId, webhookId: webhookIdOf(messageId) };
    });
  }
}
