import { Type } from '@sinclair/typebox';
import { defineEvent } from '../event-contract';
import { Timestamp, Uuid } from '../schema-types';

export const UserDisabledV1 = defineEvent({
  type: 'auth.user.disabled.v1',
  producer: 'auth',
  description:
    'Emitted once when auth disables an account (today: after `users.user.deleted.v1`). The account can no longer log in ' +
    'or refresh; its refresh tokens and API keys are revoked in the same transaction (each key with its own `auth.api_key.revoked.v1`).',
  schema: Type.Object(
    {
      userId: Uuid('The disabled account.'),
      reason: Type.Union([Type.Literal('deleted')], { description: 'Why it was disabled.' }),
      disabledAt: Timestamp('When it was disabled.'),
    },
    { additionalProperties: false },
  ),
  example: {
    userId: '0b7e4d3a-6c1f-4a8e-9d52-3f6a1c2b9e70',
    reason: 'deleted',
    disabledAt: '2025-03-01T08:00:00.000Z',
  },
});
