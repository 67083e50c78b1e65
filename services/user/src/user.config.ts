import { serviceEnvSchema, type ServiceConfig } from '@conveyor/config';

export type UserConfig = ServiceConfig;

export const userEnvSchema = serviceEnvSchema({
  port: 3002,
  databaseUrl: 'postgres://conveyor_user@127.0.0.1:5432/conveyor',
});
