import type { ServiceDefinition } from '@conveyor/platform';
import { jobsEnvSchema, type JobsConfig } from './jobs.config';
import { CreateMessaging1764230400000 } from './migrations/1764230400000-create-messaging';

/** Owns the `jobs` schema. Its outbox and inbox exist; its features arrive with their issues. */
export const jobsService: ServiceDefinition<JobsConfig> = {
  name: 'jobs',
  schema: 'jobs',
  envSchema: jobsEnvSchema,
  migrations: [CreateMessaging1764230400000],
  modules: () => [],
};
