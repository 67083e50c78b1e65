import { ApiKeyCreatedV1, ApiKeyRevokedV1, createEvent } from '@conveyor/contracts';
import type { ServiceUnderTest } from '@conveyor/service-testing';
import { waitFor } from '@conveyor/testing';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { JobsConfig } from '../src/jobs.config';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A key in auth's format: `ck_live_` and 43 base62 characters. */
export const newKey = () => `ck_live_${Array.from(randomBytes(43), (b) => BASE62[b % 62]).join('')}`;
export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The event auth emits when a key is created. */
export const apiKeyCreated = (keyId: string, userId: string, key: string, scopes = ['jobs:read', 'jobs:write']) =>
  createEvent(ApiKeyCreatedV1, {
    source: '/conveyor/auth',
    subject: keyId,
    data: { keyId, userId, name: 'spec key', prefix: key.slice(0, 12), keyHash: sha256(key), scopes, createdAt: new Date().toISOString() },
  });

export const apiKeyRevoked = (keyId: string, userId: string) =>
  createEvent(ApiKeyRevokedV1, {
    source: '/conveyor/auth',
    subject: keyId,
    data: { keyId, userId, revokedAt: new Date().toISOString() },
  });

/** A key of a new user, created through auth's event; usable once this resolves. */
export async function projectedApiKey(jobs: ServiceUnderTest<JobsConfig>) {
  const userId = randomUUID();
  const keyId = randomUUID();
  const key = newKey();
  await jobs.publish(apiKeyCreated(keyId, userId, key));
  await waitFor(async () => (await jobs.sql('SELECT 1 FROM jobs.api_keys WHERE key_id = $1', [keyId])).length === 1, {
    description: 'the API key to be projected',
  });
  return { userId, keyId, key };
}
