import { Type } from '@sinclair/typebox';
import { defineEvent } from '../event-contract';
import { Timestamp, Uuid } from '../schema-types';

export const ApiKeyUsedV1 = defineEvent({
  type: 'jobs.api_key.used.v1',
  producer: 'jobs',
  description:
    'Emitted when the jobs service authenticates a request with an API key, at most once a minute per key, ' +
    'so auth can show when a key was last used without hearing about every request.',
  schema: Type.Object(
    {
      keyId: Uuid('The key that was used.'),
      userId: Uuid('Owner of the key.'),
      usedAt: Timestamp('When it was used.'),
    },
    { additionalProperties: false },
  ),
  example: {
    keyId: '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f',
    userId: '0b7e4d3a-6c1f-4a8e-9d52-3f6a1c2b9e70',
    usedAt: '2025-01-15T09:40:00.000Z',
  },
});
