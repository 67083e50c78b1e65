import type { ServiceDefinition } from '@conveyor/platform';
import { webhookDeliveryEnvSchema, type WebhookDeliveryConfig } from './webhook-delivery.config';
import { CreateMessaging1764230400000 } from './migrations/1764230400000-create-messaging';

/** Owns the `webhooks` schema. Its outbox and inbox exist; its features arrive with their issues. */
export const webhookDeliveryService: ServiceDefinition<WebhookDeliveryConfig> = {
  name: 'webhook-delivery',
  schema: 'webhooks',
  envSchema: webhookDeliveryEnvSchema,
  migrations: [CreateMessaging1764230400000],
  modules: () => [],
};
