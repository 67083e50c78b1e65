import { Type } from '@sinclair/typebox';
import { defineEvent } from '../event-contract';
import { Timestamp } from '../schema-types';
import { jobFacts, jobFactsExample } from './job-facts';

export const JobCanceledV1 = defineEvent({
  type: 'jobs.job.canceled.v1',
  producer: 'jobs',
  description: 'Emitted once when the client cancels a pending, queued or running job (status `canceled`). Billing releases any reservation.',
  schema: Type.Object(
    {
      ...jobFacts,
      status: Type.Literal('canceled'),
      canceledFrom: Type.Union([Type.Literal('pending'), Type.Literal('queued'), Type.Literal('running')], {
        description: 'The status the job had when it was canceled.',
      }),
      canceledAt: Timestamp('When it was canceled.'),
    },
    { additionalProperties: false },
  ),
  example: { ...jobFactsExample, status: 'canceled' as const, canceledFrom: 'queued' as const, canceledAt: '2025-01-15T09:32:05.000Z' },
});
