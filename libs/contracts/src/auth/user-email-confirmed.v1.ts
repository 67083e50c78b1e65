import { Type } from '@sinclair/typebox';
import { defineEvent } from '../event-contract';
import { Timestamp, Uuid } from '../schema-types';

export const UserEmailConfirmedV1 = defineEvent({
  type: 'auth.user.email_confirmed.v1',
  producer: 'auth',
  description: 'Emitted once when a client confirms their email address with the token mailed to them (`POST /v1/auth/confirm`).',
  schema: Type.Object(
    {
      userId: Uuid('The account.'),
      email: Type.String({ format: 'email', pattern: '^[^A-Z]*$', description: 'The confirmed address, normalised to lower case.' }),
      confirmedAt: Timestamp('When it was confirmed.'),
    },
    { additionalProperties: false },
  ),
  example: {
    userId: '0b7e4d3a-6c1f-4a8e-9d52-3f6a1c2b9e70',
    email: 'ada@example.com',
    confirmedAt: '2025-01-15T09:41:00.000Z',
  },
});
