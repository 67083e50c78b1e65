import { Type } from '@sinclair/typebox';
import { defineEvent } from '../event-contract';
import { Timestamp } from '../schema-types';
import { jobFacts, jobFactsExample } from './job-facts';

export const JobFailedV1 = defineEvent({
  type: 'jobs.job.failed.v1',
  producer: 'jobs',
  description: 'Emitted once when a job fails for good (status `failed`): a permanent error or no attempts left. Billing releases its reservation.',
  schema: Type.Object(
    {
      ...jobFacts,
      status: Type.Literal('failed'),
      startedAt: Type.Union([Timestamp('When the last attempt started.'), Type.Null()]),
      finishedAt: Timestamp('When the job was given up.'),
      attempts: Type.Integer({ minimum: 0, description: 'How many times it ran.' }),
      error: Type.Object(
        {
          code: Type.String({ pattern: '^[A-Z][A-Z0-9_]*\\.[A-Z0-9_.]+$', description: 'Stable code, e.g. `JOBS.TIMEOUT`.' }),
          message: Type.String({ maxLength: 1000, description: 'What went wrong, for the client.' }),
        },
        { additionalProperties: false },
      ),
    },
    { additionalProperties: false },
  ),
  example: {
    ...jobFactsExample,
    status: 'failed' as const,
    startedAt: '2025-01-15T09:32:01.000Z',
    finishedAt: '2025-01-15T09:32:31.000Z',
    attempts: 3,
    error: { code: 'JOBS.TIMEOUT', message: 'The job did not finish within 30 s.' },
  },
});
