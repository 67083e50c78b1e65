import { createEvent, UserRegisteredV1 } from '@conveyor/contracts';
import {
  itFuzzesTheService,
  refusedTokens,
  signAccessToken,
  startServiceUnderTest,
  type FuzzCredentials,
  type FuzzRoute,
  type ServiceUnderTest,
} from '@conveyor/service-testing';
import { waitFor } from '@conveyor/testing';
import { randomUUID } from 'node:crypto';
import type { UserConfig } from '../src/user.config';
import { userService } from '../src/user.definition';

describe('user HTTP API and event queue under fuzzing (seeded; FUZZ_RUNS scales it)', () => {
  let user: ServiceUnderTest<UserConfig>;
  let credentials: FuzzCredentials;
  let routes: FuzzRoute[];

  beforeAll(async () => {
    user = await startServiceUnderTest(userService);
    const userId = randomUUID();
    const other = randomUUID();
    for (const id of [userId, other]) {
      await user.publish(
        createEvent(UserRegisteredV1, {
          source: '/conveyor/auth',
          subject: id,
          data: { userId: id, email: `fuzz-${id}@example.com`, name: 'Fuzz', registeredAt: new Date().toISOString() },
        }),
      );
    }
    await waitFor(async () => (await user.sql('SELECT 1 FROM users.profiles')).length === 2, { description: 'both profiles' });
    credentials = {
      valid: await signAccessToken({ userId, roles: ['user', 'admin'] }),
      refused: Object.values(await refusedTokens(userId)),
    };
    routes = [
      { method: 'GET', path: '/v1/users/me', auth: true },
      { method: 'PATCH', path: '/v1/users/me', body: { name: 'Ada' }, auth: true },
      { method: 'GET', path: '/v1/users', query: { q: 'fuzz', limit: '10' }, auth: true },
      { method: 'GET', path: '/v1/users/:id', params: { id: other }, auth: true },
      { method: 'DELETE', path: '/v1/users/:id', params: { id: randomUUID() }, auth: true },
      { method: 'GET', path: '/health/live', auth: false },
    ];
  });

  afterAll(() => user?.close());

  itFuzzesTheService(() => ({
    service: user,
    schema: 'users',
    routes,
    refusedOnlyRoutes: [{ method: 'DELETE', path: '/v1/users/me', auth: true }],
    credentials,
    consumes: ['auth.user.registered.v1', 'user.created'],
    validEvent: () => {
      const id = randomUUID();
      return createEvent(UserRegisteredV1, { source: '/conveyor/auth', subject: id, data: { userId: id, email: `probe-${id}@example.com`, name: 'Probe', registeredAt: new Date().toISOString() } });
    },
  }));
});
