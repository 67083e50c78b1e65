import { Type } from '@sinclair/typebox';
import { defineEvent } from '../event-contract';
import { Timestamp, Uuid } from '../schema-types';

export const ApiKeyCreatedV1 = defineEvent({
  type: 'auth.api_key.created.v1',
  producer: 'auth',
  description:
    'Emitted when a client creates an API key (`POST /v1/auth/api-keys`). Carries the SHA-256 ' +
    'hash of the key, never the key, so other services can authenticate it locally.',
  schema: Type.Object(
    {
      keyId: Uuid('Id of the key.'),
      userId: Uuid('Owner of the key.'),
      name: Type.String({ minLength: 1, maxLength: 100, description: 'Label the client gave the key.' }),
      prefix: Type.String({ minLength: 8, maxLength: 32, description: 'Visible start of the key, e.g. `ck_live_Ab3x`.' }),
      keyHash: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'Lower-case hex SHA-256 of the whole key.' }),
      scopes: Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { maxItems: 20, description: 'What the key may do.' }),
      createdAt: Timestamp('When the key was created.'),
    },
    { additionalProperties: false },
  ),
  example: {
    keyId: '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f',
    userId: '0b7e4d3a-6c1f-4a8e-9d52-3f6a1c2b9e70',
    name: 'production worker',
    prefix: 'ck_live_Ab3x',
    keyHash: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    scopes: ['jobs:write', 'jobs:read'],
    createdAt: '2025-01-15T09:31:00.000Z',
  },
});
