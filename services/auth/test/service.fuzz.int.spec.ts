import { createEvent, UserDeletedV1 } from '@conveyor/contracts';
import {
  itFuzzesTheService,
  refusedTokens,
  startServiceUnderTest,
  type FuzzCredentials,
  type FuzzRoute,
  type ServiceUnderTest,
} from '@conveyor/service-testing';
import { randomUUID } from 'node:crypto';
import type { AuthConfig } from '../src/auth.config';
import { authService } from '../src/auth.definition';
import { SigningKeys } from '../src/signing-keys/signing-keys';

const PASSWORD = 'correct horse battery staple';

describe('auth HTTP API and event queue under fuzzing (seeded; FUZZ_RUNS scales it)', () => {
  let auth: ServiceUnderTest<AuthConfig>;
  let credentials: FuzzCredentials;
  let routes: FuzzRoute[];

  beforeAll(async () => {
    auth = await startServiceUnderTest(authService);
    const email = `fuzz-${randomUUID()}@example.com`;
    const registered = await auth.request('POST', '/v1/auth/register', { body: { email, password: PASSWORD, name: 'Fuzz' } });
    const login = await auth.request('POST', '/v1/auth/login', { body: { email, password: PASSWORD } });
    const token = String(login.body['accessToken']);
    const key = await auth.request('POST', '/v1/auth/api-keys', { token, body: { name: 'fuzz' } });
    credentials = {
      valid: token,
      refused: Object.values(await refusedTokens(String(registered.body['id']), ['user'], await auth.app.get(SigningKeys).current())),
    };
    routes = [
      { method: 'GET', path: '/.well-known/jwks.json', auth: false },
      { method: 'POST', path: '/v1/auth/register', body: { email: `other-${randomUUID()}@example.com`, password: PASSWORD, name: 'Other' }, auth: false },
      { method: 'POST', path: '/v1/auth/login', body: { email, password: PASSWORD }, auth: false },
      { method: 'POST', path: '/v1/auth/refresh', body: { refreshToken: String(login.body['refreshToken']) }, auth: false },
      { method: 'POST', path: '/v1/auth/logout', body: { refreshToken: 'not-a-token' }, auth: false },
      { method: 'POST', path: '/v1/auth/logout-all', auth: true },
      { method: 'POST', path: '/v1/auth/confirm', body: { token: 'not-a-token' }, auth: false },
      { method: 'POST', path: '/v1/auth/password/forgot', body: { email }, auth: false },
      { method: 'POST', path: '/v1/auth/password/reset', body: { token: 'not-a-token', password: PASSWORD }, auth: false },
      { method: 'POST', path: '/v1/auth/password/change', body: { currentPassword: 'wrong password', newPassword: PASSWORD }, auth: true },
      { method: 'GET', path: '/v1/auth/me', auth: true },
      { method: 'POST', path: '/v1/auth/api-keys', body: { name: 'fuzz key', scopes: ['jobs:read'] }, auth: true },
      { method: 'GET', path: '/v1/auth/api-keys', auth: true },
      { method: 'DELETE', path: '/v1/auth/api-keys/:id', params: { id: String(key.body['id']) }, auth: true },
    ];
  });

  afterAll(() => auth?.close());

  itFuzzesTheService(() => ({
    service: auth,
    schema: 'auth',
    routes,
    credentials,
    consumes: ['jobs.api_key.used.v1', 'users.user.deleted.v1'],
    validEvent: () => {
      const id = randomUUID();
      return createEvent(UserDeletedV1, { source: '/conveyor/users', subject: id, data: { ...UserDeletedV1.example, userId: id } });
    },
  }));
});
