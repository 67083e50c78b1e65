import { serviceEnvSchema, type ServiceConfig } from '@conveyor/config';

export type JobsConfig = ServiceConfig;

export const jobsEnvSchema = serviceEnvSchema({
  port: 3000,
  databaseUrl: 'postgres://conveyor_jobs@127.0.0.1:5432/conveyor',
});
