import { Type } from '@sinclair/typebox';
import { defineEvent } from '../event-contract';
import { Credits, Timestamp, Uuid } from '../schema-types';

export const CreditsReservedV1 = defineEvent({
  type: 'billing.credits.reserved.v1',
  producer: 'billing',
  description: "Emitted once per job when billing holds the job's cost after `jobs.job.submitted.v1`; the job may now run.",
  schema: Type.Object(
    {
      jobId: Uuid('The job the credits are held for.'),
      userId: Uuid('Owner of the account.'),
      amount: Credits('Credits held.'),
      balance: Type.Integer({ description: 'Available balance after the hold.' }),
      reservedAt: Timestamp('When the hold was made.'),
    },
    { additionalProperties: false },
  ),
  example: {
    jobId: '3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a',
    userId: '0b7e4d3a-6c1f-4a8e-9d52-3f6a1c2b9e70',
    amount: 1,
    balance: 9,
    reservedAt: '2025-01-15T09:32:00.040Z',
  },
});
