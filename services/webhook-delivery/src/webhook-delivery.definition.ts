import { DeliveryExhaustedV1, DeliverySucceededV1 } from '@conveyor/contracts';
import type { ServiceDefinition } from '@conveyor/platform';
import { DeliveryModule } from './delivery/delivery.module';
import { EndpointsModule } from './endpoints/endpoints.module';
import { MessagesModule } from './messages/messages.module';
import { SubscriptionPrefilter } from './messages/on-public-event/subscriptions';
import { CreateMessaging1764230400000 } from './migrations/1764230400000-create-messaging';
import { CreateWebhooks1764500000000 } from './migrations/1764500000000-create-webhooks';
import { ForgetDeletedUsers1764600000000 } from './migrations/1764600000000-forget-deleted-users';
import { UsersModule } from './users/users.module';
import { webhookDeliveryEnvSchema, type WebhookDeliveryConfig } from './webhook-delivery.config';
import { CreateConsumerFailures1764700000000 } from './migrations/1764700000000-create-consumer-failures';

/** Owns the `webhooks` schema: endpoints, secrets, messages, deliveries and their attempts. */
export const webhookDeliveryService: ServiceDefinition<WebhookDeliveryConfig> = {
  name: 'webhook-delivery',
  schema: 'webhooks',
  envSchema: webhookDeliveryEnvSchema,
  migrations: [
    CreateMessaging1764230400000,
    CreateWebhooks1764500000000,
    ForgetDeletedUsers1764600000000,
    CreateConsumerFailures1764700000000,
  ],
  modules: () => [UsersModule, EndpointsModule, MessagesModule, DeliveryModule],
  // Nobody may subscribe to the delivery outcomes (a webhook announcing its own delivery would
  // never end) and no service consumes them, so no queue is bound for them.
  eventsWithoutConsumers: [DeliverySucceededV1.type, DeliveryExhaustedV1.type],
  eventPrefilter: SubscriptionPrefilter,
};
