import { Type } from '@sinclair/typebox';
import { defineEvent } from '../event-contract';
import { Credits, Timestamp, Uuid } from '../schema-types';

export const CreditsCapturedV1 = defineEvent({
  type: 'billing.credits.captured.v1',
  producer: 'billing',
  description: "Emitted once per job when its reservation is charged after `jobs.job.succeeded.v1`.",
  schema: Type.Object(
    {
      jobId: Uuid('The job that was charged.'),
      userId: Uuid('Owner of the account.'),
      amount: Credits('Credits charged.'),
      balance: Type.Integer({ description: 'Available balance afterwards.' }),
      capturedAt: Timestamp('When it was charged.'),
    },
    { additionalProperties: false },
  ),
  example: {
    jobId: '3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a',
    userId: '0b7e4d3a-6c1f-4a8e-9d52-3f6a1c2b9e70',
    amount: 1,
    balance: 9,
    capturedAt: '2025-01-15T09:32:01.100Z',
  },
});
