import {
  itFuzzesTheService,
  refusedTokens,
  startServiceUnderTest,
  type FuzzCredentials,
  type FuzzRoute,
  type ServiceUnderTest,
} from '@conveyor/service-testing';
import { vendorSignatureHeaders } from '@conveyor/testing';
import { randomUUID } from 'node:crypto';
import type { JobsConfig } from '../src/jobs.config';
import { jobsService } from '../src/jobs.definition';
import { apiKeyCreated, apiKeyRevoked, newKey, projectedApiKey } from './api-key.fixtures';

const VENDOR_SECRET = 'fuzz-vendor-secret-0123456789abcdef';

describe('jobs HTTP API and event queue under fuzzing (seeded; FUZZ_RUNS scales it)', () => {
  let jobs: ServiceUnderTest<JobsConfig>;
  let credentials: FuzzCredentials;
  let routes: FuzzRoute[];

  beforeAll(async () => {
    jobs = await startServiceUnderTest(jobsService, {
      // Submitted jobs wait for billing, which is not running: nothing is processed meanwhile.
      WORKER_POLL_INTERVAL_MS: '60000',
      JOBS_ALLOW_LOOPBACK_VENDORS: 'true',
      JOBS_VENDORS: JSON.stringify({
        'async-co': { baseUrl: 'http://127.0.0.1:9/', mode: 'async', secret: VENDOR_SECRET, rateLimit: { requests: 10, intervalMs: 1_000 } },
      }),
    });
    const { userId, key } = await projectedApiKey(jobs);
    const revoked = await projectedApiKey(jobs);
    await jobs.publish(apiKeyRevoked(revoked.keyId, revoked.userId));
    const submitted = await jobs.request('POST', '/v1/jobs', { token: key, body: { type: 'echo', input: { hello: 'fuzz' } } });
    const jobId = String(submitted.body['id']);
    credentials = { valid: key, refused: [revoked.key, ...Object.values(await refusedTokens(userId))] };
    routes = [
      {
        method: 'POST',
        path: '/v1/jobs',
        body: { type: 'echo', input: { delayMs: 0 }, webhookUrl: 'https://93.184.215.14/hook', metadata: { a: 'b' } },
        headers: { 'idempotency-key': randomUUID() },
        auth: true,
      },
      { method: 'POST', path: '/v1/jobs', body: { type: 'image.transform', input: { imageUrl: 'https://93.184.215.14/cat.png', operations: [] } }, auth: true },
      { method: 'POST', path: '/v1/jobs', body: { type: 'vendor.call', input: { vendor: 'async-co', payload: {} } }, auth: true },
      { method: 'GET', path: '/v1/jobs/:id', params: { id: jobId }, auth: true },
      { method: 'GET', path: '/v1/jobs', query: { status: 'pending', type: 'echo', limit: '5' }, auth: true },
      { method: 'GET', path: '/v1/jobs/:id/result', params: { id: jobId }, auth: true },
      { method: 'GET', path: '/v1/results/:id', params: { id: jobId }, query: { expires: '9999999999', signature: 'abc' }, auth: false },
      { method: 'GET', path: '/v1/jobs/events', auth: true },
      { method: 'GET', path: '/v1/jobs/:id/events', params: { id: jobId }, auth: true },
      { method: 'POST', path: '/v1/jobs/:id/cancel', params: { id: randomUUID() }, auth: true },
      {
        method: 'POST',
        path: '/v1/vendors/:vendor/callback',
        params: { vendor: 'async-co' },
        body: { jobId, status: 'succeeded', result: { ok: true } },
        sign: (body) => vendorSignatureHeaders(VENDOR_SECRET, body),
        auth: false,
      },
    ];
  });

  afterAll(() => jobs?.close());

  itFuzzesTheService(() => ({
    service: jobs,
    schema: 'jobs',
    routes,
    credentials,
    consumes: ['auth.api_key.created.v1', 'auth.api_key.revoked.v1', 'billing.credits.reserved.v1', 'billing.credits.rejected.v1', 'billing.account.plan_changed.v1', 'users.user.deleted.v1'],
    validEvent: () => apiKeyCreated(randomUUID(), randomUUID(), newKey()),
  }));
});
