import { Type } from '@sinclair/typebox';
import { defineEvent } from '../event-contract';

export const UserRegisteredV1 = defineEvent({
  type: 'auth.user.registered.v1',
  producer: 'auth',
  description:
    'Emitted once when a client account is created through `POST /v1/auth/register`. ' +
    'The legacy monolith\'s `user.created` message is upcast to this event.',
  schema: Type.Object(
    {
      userId: Type.String({ format: 'uuid', description: 'Id of the new account, shared by every service.' }),
      email: Type.String({
        format: 'email',
        // Lower-case is part of the promise: consumers compare and index emails as given.
        pattern: '^[^A-Z]*$',
        description: 'Login email, normalised to lower case.',
      }),
      name: Type.Union([Type.String({ maxLength: 200 }), Type.Null()], {
        description: 'Display name, or null when the client gave none.',
      }),
      registeredAt: Type.String({ format: 'date-time', description: 'When the account was created.' }),
    },
    { additionalProperties: false },
  ),
  example: {
    userId: '0b7e4d3a-6c1f-4a8e-9d52-3f6a1c2b9e70',
    email: 'ada@example.com',
    name: 'Ada Lovelace',
    registeredAt: '2025-01-15T09:30:00.000Z',
  },
});
