import { Type } from '@sinclair/typebox';
import { defineEvent } from '../event-contract';
import { Timestamp } from '../schema-types';
import { jobFacts, jobFactsExample } from './job-facts';

export const JobRejectedV1 = defineEvent({
  type: 'jobs.job.rejected.v1',
  producer: 'jobs',
  description: 'Emitted once when a pending job is refused before it ran (status `rejected`), e.g. billing found too few credits.',
  schema: Type.Object(
    {
      ...jobFacts,
      status: Type.Literal('rejected'),
      reason: Type.String({ pattern: '^[a-z][a-z0-9_]*$', description: 'Why, e.g. `insufficient_credits`.' }),
      rejectedAt: Timestamp('When it was rejected.'),
    },
    { additionalProperties: false },
  ),
  example: { ...jobFactsExample, status: 'rejected' as const, reason: 'insufficient_credits', rejectedAt: '2025-01-15T09:32:00.050Z' },
});
