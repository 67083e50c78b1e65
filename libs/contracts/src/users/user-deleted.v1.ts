import { Type } from '@sinclair/typebox';
import { defineEvent } from '../event-contract';
import { Timestamp, Uuid } from '../schema-types';

export const UserDeletedV1 = defineEvent({
  type: 'users.user.deleted.v1',
  producer: 'user',
  description:
    'Emitted once when an account is deleted, by its owner (`DELETE /v1/users/me`) or an administrator ' +
    '(`DELETE /v1/users/:id`). Every service stops serving the user and erases or anonymises what it keeps about them: ' +
    'auth disables the credentials and revokes sessions and API keys, billing closes the account, jobs cancels pending ' +
    'and queued jobs, webhook-delivery disables endpoints. Carries no personal data.',
  schema: Type.Object(
    {
      userId: Uuid('The deleted account.'),
      deletedBy: Type.Union([Type.Literal('self'), Type.Literal('admin')], { description: 'Who asked for the deletion.' }),
      deletedAt: Timestamp('When it was deleted.'),
    },
    { additionalProperties: false },
  ),
  example: {
    userId: '0b7e4d3a-6c1f-4a8e-9d52-3f6a1c2b9e70',
    deletedBy: 'self',
    deletedAt: '2025-03-01T07:59:58.000Z',
  },
});
