import { Type } from '@sinclair/typebox';
import { defineEvent } from '../event-contract';
import { Timestamp, Uuid } from '../schema-types';

export const ApiKeyRevokedV1 = defineEvent({
  type: 'auth.api_key.revoked.v1',
  producer: 'auth',
  description: 'Emitted once when a client revokes an API key (`DELETE /v1/auth/api-keys/:id`); the key must stop working.',
  schema: Type.Object(
    {
      keyId: Uuid('Id of the revoked key.'),
      userId: Uuid('Owner of the key.'),
      revokedAt: Timestamp('When it was revoked.'),
    },
    { additionalProperties: false },
  ),
  example: {
    keyId: '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f',
    userId: '0b7e4d3a-6c1f-4a8e-9d52-3f6a1c2b9e70',
    revokedAt: '2025-02-01T12:00:00.000Z',
  },
});
