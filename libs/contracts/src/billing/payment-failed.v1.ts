import { Type } from '@sinclair/typebox';
import { defineEvent } from '../event-contract';
import { Credits, Timestamp, Uuid } from '../schema-types';

export const PaymentFailedV1 = defineEvent({
  type: 'billing.payment.failed.v1',
  producer: 'billing',
  description: 'Emitted once when a top-up is given up: the provider declined it, or transient failures exhausted the retries.',
  schema: Type.Object(
    {
      paymentId: Uuid('Id of the top-up.'),
      userId: Uuid('Owner of the account.'),
      credits: Credits('Credits that were asked for.'),
      attempts: Type.Integer({ minimum: 1, description: 'Calls to the payment provider made.' }),
      reason: Type.String({ pattern: '^[a-z][a-z0-9_]*$', description: 'Why, e.g. `declined` or `provider_unavailable`.' }),
      failedAt: Timestamp('When it was given up.'),
    },
    { additionalProperties: false },
  ),
  example: {
    paymentId: '8a7b6c5d-4e3f-4a1b-9c8d-7e6f5a4b3c2d',
    userId: '0b7e4d3a-6c1f-4a8e-9d52-3f6a1c2b9e70',
    credits: 50,
    attempts: 5,
    reason: 'provider_unavailable',
    failedAt: '2025-01-16T10:05:00.000Z',
  },
});
