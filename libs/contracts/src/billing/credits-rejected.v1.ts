import { Type } from '@sinclair/typebox';
import { defineEvent } from '../event-contract';
import { Credits, Timestamp, Uuid } from '../schema-types';

export const CreditsRejectedV1 = defineEvent({
  type: 'billing.credits.rejected.v1',
  producer: 'billing',
  description: 'Emitted once per job when billing cannot hold its cost after `jobs.job.submitted.v1`; the job must be rejected.',
  schema: Type.Object(
    {
      jobId: Uuid('The job that was refused.'),
      userId: Uuid('Owner of the account.'),
      reason: Type.Union([Type.Literal('insufficient_credits'), Type.Literal('account_closed')], { description: 'Why.' }),
      required: Credits('What the job costs.'),
      balance: Type.Integer({ description: 'Available balance at the time.' }),
      rejectedAt: Timestamp('When it was refused.'),
    },
    { additionalProperties: false },
  ),
  example: {
    jobId: '3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a',
    userId: '0b7e4d3a-6c1f-4a8e-9d52-3f6a1c2b9e70',
    reason: 'insufficient_credits' as const,
    required: 1,
    balance: 0,
    rejectedAt: '2025-01-15T09:32:00.040Z',
  },
});
