import { STACK_TRACE, type ServiceUnderTest, startServiceUnderTest } from '@conveyor/service-testing';
import { authService } from '../src/auth.definition';
import type { AuthConfig } from '../src/auth.config';

describe('the auth service HTTP edge (real Postgres and RabbitMQ)', () => {
  let auth: ServiceUnderTest<AuthConfig>;

  beforeAll(async () => {
    auth = await startServiceUnderTest(authService);
  });

  afterAll(() => auth?.close());

  it('answers an unknown route with a 404 problem', async () => {
    const reply = await auth.request('GET', '/v1/auth/nowhere?x=1');

    expect(reply.status).toBe(404);
    expect(reply.contentType).toMatch(/^application\/problem\+json/);
    expect(reply.body).toMatchObject({ status: 404, code: 'REQUEST.NOT_FOUND', instance: '/v1/auth/nowhere' });
    expect(reply.text).not.toMatch(STACK_TRACE);
  });

  it('reports itself live', async () => {
    const reply = await auth.request('GET', '/health/live');

    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ status: 'ok' });
  });

  it('reports itself ready while its database and broker are up', async () => {
    const reply = await auth.request('GET', '/health/ready');

    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ status: 'ok', checks: { database: 'up', broker: 'up' } });
  });
});
