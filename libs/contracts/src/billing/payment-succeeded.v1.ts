import { Type } from '@sinclair/typebox';
import { defineEvent } from '../event-contract';
import { Credits, Timestamp, Uuid } from '../schema-types';

export const PaymentSucceededV1 = defineEvent({
  type: 'billing.payment.succeeded.v1',
  producer: 'billing',
  description: "Emitted once when a top-up's payment went through and its credits were granted.",
  schema: Type.Object(
    {
      paymentId: Uuid('Id of the top-up.'),
      userId: Uuid('Owner of the account.'),
      credits: Credits('Credits granted.'),
      attempts: Type.Integer({ minimum: 1, description: 'Calls to the payment provider it took.' }),
      succeededAt: Timestamp('When the credits were granted.'),
    },
    { additionalProperties: false },
  ),
  example: {
    paymentId: '8a7b6c5d-4e3f-4a1b-9c8d-7e6f5a4b3c2d',
    userId: '0b7e4d3a-6c1f-4a8e-9d52-3f6a1c2b9e70',
    credits: 50,
    attempts: 1,
    succeededAt: '2025-01-16T10:00:02.000Z',
  },
});
