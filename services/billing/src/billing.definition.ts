import type { ServiceDefinition } from '@conveyor/platform';
import { billingEnvSchema, type BillingConfig } from './billing.config';
import { CreateMessaging1764230400000 } from './migrations/1764230400000-create-messaging';

/** Owns the `billing` schema. Its outbox and inbox exist; its features arrive with their issues. */
export const billingService: ServiceDefinition<BillingConfig> = {
  name: 'billing',
  schema: 'billing',
  envSchema: billingEnvSchema,
  migrations: [CreateMessaging1764230400000],
  modules: () => [],
};
