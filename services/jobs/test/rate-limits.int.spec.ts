import { signAccessToken, startServiceUnderTest, type ServiceUnderTest } from '@conveyor/service-testing';
import { DataSource } from 'typeorm';
import type { JobsConfig } from '../src/jobs.config';
import { jobsService } from '../src/jobs.definition';
import { projectedApiKey } from './api-key.fixtures';

describe('rate limits on the jobs API (real Postgres and RabbitMQ)', () => {
  let jobs: ServiceUnderTest<JobsConfig>;

  beforeAll(async () => {
    jobs = await startServiceUnderTest(jobsService, { JOBS_ROLE: 'api', RATE_LIMIT_REQUESTS: '2', RATE_LIMIT_WINDOW_SECONDS: '60' });
  });

  afterAll(() => jobs?.close());

  it('gives each API key its own budget and answers 429 with Retry-After and RateLimit fields when it is spent', async () => {
    const { key } = await projectedApiKey(jobs);
    const { key: otherKey } = await projectedApiKey(jobs);
    const list = (token: string) => fetch(`${jobs.url}/v1/jobs`, { headers: { authorization: `Bearer ${token}` } });

    const first = await list(key);
    await list(key);
    const refused = await list(key);

    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-policy')).toBe('"api";q=2;w=60');
    expect(first.headers.get('ratelimit')).toMatch(/^"api";r=1;t=\d+$/);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await refused.json()).toMatchObject({ code: 'RATE_LIMIT.EXCEEDED' });
    expect((await list(otherKey)).status).toBe(200);
  });

  it('counts access-token callers per user', async () => {
    const token = await signAccessToken();
    const list = () => jobs.request('GET', '/v1/jobs', { token });

    expect([(await list()).status, (await list()).status, (await list()).status]).toEqual([200, 200, 429]);
    expect((await jobs.request('GET', '/v1/jobs', { token: await signAccessToken() })).status).toBe(200);
  });

  it('keeps its counters out of the write-ahead log, so no request waits for a disk flush to be counted', async () => {
    const [table] = await jobs.app.get(DataSource).query<{ relpersistence: string }[]>(
      `SELECT relpersistence FROM pg_class WHERE oid = 'jobs.rate_limits'::regclass`,
    );
    expect(table).toEqual({ relpersistence: 'u' });
  });
});
