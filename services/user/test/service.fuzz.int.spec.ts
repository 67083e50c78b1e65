import { createEvent, UserRegisteredV1 } from '@conveyor/contracts';
import {
  FUZZ_TIMEOUT_MS,
  fuzzRefusedRoutes,
  fuzzRoutes,
  fuzzQueue,
  fuzzRuns,
  inboxHolds,
  refusedTokens,
  signAccessToken,
  snapshotSchema,
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

  it('leaves the database unchanged when it refuses requests', async () => {
    await fuzzRefusedRoutes(user.url, [...routes, { method: 'DELETE', path: '/v1/users/me', auth: true }], credentials, fuzzRuns(60, 0.04), () =>
      snapshotSchema(user.sql, 'users'),
    );
  }, FUZZ_TIMEOUT_MS);

  it('never answers 5xx and answers every client mistake with a problem document', async () => {
    await fuzzRoutes(user.url, routes, credentials, fuzzRuns(150, 0.16));
    expect((await user.request('GET', '/health/live')).status).toBe(200);
  }, FUZZ_TIMEOUT_MS);

  it('dead-letters hostile messages at once and keeps consuming', async () => {
    await fuzzQueue(
      {
        names: user.names,
        types: ['auth.user.registered.v1', 'user.created'],
        applies: async () => {
          const id = randomUUID();
          const event = createEvent(UserRegisteredV1, { source: '/conveyor/auth', subject: id, data: { userId: id, email: `probe-${id}@example.com`, name: 'Probe', registeredAt: new Date().toISOString() } });
          await user.publish(event);
          await inboxHolds(user.sql, 'users', event);
        },
      },
      fuzzRuns(25, 0.04),
    );
  }, FUZZ_TIMEOUT_MS);
});
