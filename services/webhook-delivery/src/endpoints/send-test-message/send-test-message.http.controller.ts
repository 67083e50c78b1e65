import { Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, CurrentPrincipal, type Principal } from '@conveyor/platform';
import { DataSource } from 'typeorm';
import { MessageQueue, webhookIdOf } from '../../messages/message-queue';
import { assertEndpointId, EndpointDisabledError, EndpointNotFoundError } from '../endpoints.errors';

/** The `type` of a test message; not a platform event, so nobody can subscribe to it. */
export const TEST_EVENT_TYPE = 'webhooks.test';

@Controller('v1/webhooks/endpoints')
@UseGuards(AccessTokenGuard)
export class SendTestMessageHttpController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly messages: MessageQueue,
  ) {}

  /** Queues a signed test message for this endpoint alone, delivered and retried like any other. */
  @Post(':id/test')
  @HttpCode(202)
  send(@CurrentPrincipal() { userId }: Principal, @Param('id') id: string) {
    assertEndpointId(id);
    return this.dataSource.transaction(async (manager) => {
      const [endpoint] = await manager.query<{ disabled_at: Date | null }[]>(
        `SELECT disabled_at FROM webhooks.endpoints WHERE id = $1 AND user_id = $2 AND kind = 'subscription'`,
        [id, userId],
      );
      if (!endpoint) throw new EndpointNotFoundError();
      if (endpoint.disabled_at) throw new EndpointDisabledError();
      const time = new Date().toISOString();
      const messageId = await this.messages.enqueue(manager, {
        userId,
        eventId: null,
        eventType: TEST_EVENT_TYPE,
        subject: id,
        time,
        data: { endpointId: id, message: 'This is a test message from Conveyor.', sentAt: time },
        endpointIds: [id],
      });
      return { messageId, webhookId: webhookIdOf(messageId) };
    });
  }
}
