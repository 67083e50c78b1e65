import { Type } from '@sinclair/typebox';
import { defineEvent } from '../event-contract';
import { Credits, Timestamp, Uuid } from '../schema-types';

export const CreditsReleasedV1 = defineEvent({
  type: 'billing.credits.released.v1',
  producer: 'billing',
  description: "Emitted once per job when its reservation is given back after the job failed, was canceled or was rejected.",
  schema: Type.Object(
    {
      jobId: Uuid('The job whose hold was released.'),
      userId: Uuid('Owner of the account.'),
      amount: Credits('Credits given back.'),
      balance: Type.Integer({ description: 'Available balance afterwards.' }),
      reason: Type.Union([Type.Literal('failed'), Type.Literal('canceled'), Type.Literal('rejected')], {
        description: 'What happened to the job.',
      }),
      releasedAt: Timestamp('When it was released.'),
    },
    { additionalProperties: false },
  ),
  example: {
    jobId: '3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a',
    userId: '0b7e4d3a-6c1f-4a8e-9d52-3f6a1c2b9e70',
    amount: 1,
    balance: 10,
    reason: 'failed' as const,
    releasedAt: '2025-01-15T09:32:31.100Z',
  },
});
