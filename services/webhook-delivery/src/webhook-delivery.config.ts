import { serviceEnvSchema, type ServiceConfig } from '@conveyor/config';

export type WebhookDeliveryConfig = ServiceConfig;

export const webhookDeliveryEnvSchema = serviceEnvSchema({
  port: 3004,
  databaseUrl: 'postgres://conveyor_webhooks@127.0.0.1:5432/conveyor',
});
