import { serviceEnvSchema, type ServiceConfig } from '@conveyor/config';

export type BillingConfig = ServiceConfig;

export const billingEnvSchema = serviceEnvSchema({
  port: 3003,
  databaseUrl: 'postgres://conveyor_billing@127.0.0.1:5432/conveyor',
});
