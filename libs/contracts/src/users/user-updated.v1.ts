import { Type } from '@sinclair/typebox';
import { defineEvent } from '../event-contract';
import { Timestamp, Uuid } from '../schema-types';

export const UserUpdatedV1 = defineEvent({
  type: 'users.user.updated.v1',
  producer: 'user',
  description: 'Emitted when a client changes their profile (`PATCH /v1/users/me`); carries the profile fields as they now are.',
  schema: Type.Object(
    {
      userId: Uuid('Whose profile changed.'),
      name: Type.Union([Type.String({ maxLength: 200 }), Type.Null()], { description: 'Display name, or null when cleared.' }),
      updatedAt: Timestamp('When the change was made.'),
    },
    { additionalProperties: false },
  ),
  example: {
    userId: '0b7e4d3a-6c1f-4a8e-9d52-3f6a1c2b9e70',
    name: 'Ada King',
    updatedAt: '2025-02-10T16:45:00.000Z',
  },
});
