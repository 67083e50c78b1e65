import { Type } from '@sinclair/typebox';
import { defineEvent } from '../event-contract';
import { Timestamp } from '../schema-types';
import { jobFacts, jobFactsExample } from './job-facts';

export const JobStartedV1 = defineEvent({
  type: 'jobs.job.started.v1',
  producer: 'jobs',
  description: 'Emitted each time a worker starts running a job (status `running`); `attempt` counts retries.',
  schema: Type.Object(
    {
      ...jobFacts,
      attempt: Type.Integer({ minimum: 1, description: '1 for the first run, higher after transient failures.' }),
      startedAt: Timestamp('When this attempt started.'),
    },
    { additionalProperties: false },
  ),
  example: { ...jobFactsExample, attempt: 1, startedAt: '2025-01-15T09:32:01.000Z' },
});
