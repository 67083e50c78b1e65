import { signAccessToken, startServiceUnderTest, type ServiceUnderTest } from '@conveyor/service-testing';
import {
  startInMemoryTracing,
  startTestVendor,
  vendorSignatureHeaders,
  waitFor,
  type InMemoryTracing,
  type TestVendor,
  type TestVendorPayload,
} from '@conveyor/testing';
import { randomUUID } from 'node:crypto';
import type { JobsConfig } from '../src/jobs.config';
import { jobsService } from '../src/jobs.definition';
import { Attr } from '@conveyor/tracing';
import { cancelJob, eventTypes, insertPendingJob, jobState, reservation, untilStatus } from './job-processing.fixtures';

jest.setTimeout(30_000);

const SECRET = 'the-async-vendors-shared-secret-0123456789';
const SLOW_SECRET = 'the-silent-vendors-shared-secret-0123456789';
const CALLBACK_TIMEOUT_MS = 1_000;

/**
 * `vendor.call` jobs against test vendors on loopback: a sync vendor, an async one that calls
 * back, and an async one with a short callback timeout. Jobs are driven through billing's
 * reservation events, callbacks arrive over HTTP.
 */
describe('vendor.call jobs (real Postgres and RabbitMQ, test vendors on loopback)', () => {
  let tracing: InMemoryTracing;
  let jobs: ServiceUnderTest<JobsConfig>;
  let syncVendor: TestVendor;
  let asyncVendor: TestVendor;
  let slowVendor: TestVendor;
  let trickleVendor: TestVendor;

  beforeAll(async () => {
    tracing = startInMemoryTracing();
    [syncVendor, asyncVendor, slowVendor, trickleVendor] = await Promise.all([
      startTestVendor({ name: 'sync-co', mode: 'sync' }),
      startTestVendor({ name: 'async-co', mode: 'async', secret: SECRET }),
      startTestVendor({ name: 'silent-co', mode: 'async', secret: SLOW_SECRET }),
      startTestVendor({ name: 'trickle-co', mode: 'sync' }),
    ]);
    const rateLimit = { requests: 100, intervalMs: 1_000 };
    const vendors = {
      'sync-co': { baseUrl: syncVendor.url, mode: 'sync', authHeader: { name: 'X-Api-Key', value: 'sync-co-key' }, rateLimit },
      'async-co': { baseUrl: asyncVendor.url, mode: 'async', secret: SECRET, callbackTimeoutMs: 20_000, rateLimit },
      'silent-co': { baseUrl: slowVendor.url, mode: 'async', secret: SLOW_SECRET, callbackTimeoutMs: CALLBACK_TIMEOUT_MS, rateLimit },
      'trickle-co': { baseUrl: trickleVendor.url, mode: 'sync', rateLimit: { requests: 1, intervalMs: 60_000 } },
    };
    jobs = await startServiceUnderTest(jobsService, {
      WORKER_POLL_INTERVAL_MS: '100',
      JOBS_VENDORS: JSON.stringify(vendors),
      JOBS_ALLOW_LOOPBACK_VENDORS: 'true',
    });
    for (const vendor of [asyncVendor, slowVendor]) vendor.callBackTo(jobs.url);
  });

  afterAll(async () => {
    await Promise.all([syncVendor, asyncVendor, slowVendor, trickleVendor].map((vendor) => vendor?.close()));
    await jobs?.close();
    await tracing?.shutdown();
  });

  /** A vendor job as billing's reservation leaves it: queued, and soon running. */
  async function runVendorJob(vendor: string, payload: TestVendorPayload) {
    const job = await insertPendingJob(jobs.sql, { type: 'vendor.call', input: { vendor, payload } });
    await jobs.publish(reservation(job));
    return job;
  }

  const requestsFor = (vendor: TestVendor, jobId: string) => vendor.requests.filter((request) => request.jobId === jobId);
  const callbackRows = (jobId: string) => jobs.sql('SELECT * FROM jobs.vendor_callbacks WHERE job_id = $1', [jobId]);
  const postCallback = (vendor: string, body: string, headers: Record<string, string>) =>
    jobs.request('POST', `/v1/vendors/${vendor}/callback`, { body, headers: { 'content-type': 'application/json', ...headers } });
  const runEnded = (jobId: string) =>
    tracing.spans().some((span) => span.name === 'run job vendor.call' && span.attributes[Attr.jobId] === jobId);

  it("completes a job with a sync vendor's answer, sending its auth header and the job id as Idempotency-Key", async () => {
    const job = await runVendorJob('sync-co', { text: 'hello' });

    const done = await untilStatus(jobs.sql, job.id, 'succeeded');

    expect(done).toMatchObject({ attempts: 1, result: { vendor: 'sync-co', echo: { text: 'hello' } } });
    const [request] = requestsFor(syncVendor, job.id);
    expect(request.idempotencyKey).toBe(job.id);
    expect(request.headers['x-api-key']).toBe('sync-co-key');
    expect(JSON.parse(request.body)).toEqual({ jobId: job.id, payload: { text: 'hello' } });
  });

  it("completes an async job from the vendor's signed callback", async () => {
    const job = await runVendorJob('async-co', { text: 'later', callbackDelayMs: 200 });

    const done = await untilStatus(jobs.sql, job.id, 'succeeded');

    expect(done.result).toEqual({ vendor: 'async-co', echo: { text: 'later', callbackDelayMs: 200 } });
    expect(asyncVendor.callbacks.filter((callback) => callback.jobId === job.id).map((callback) => callback.status)).toEqual([200]);
    expect(await eventTypes(jobs.sql, job.id)).toEqual(['jobs.job.started.v1', 'jobs.job.succeeded.v1']);
  });

  it("fails an async job at the vendor's callback timeout when no callback arrives", async () => {
    const job = await runVendorJob('silent-co', { callback: 'none' });
    const running = await untilStatus(jobs.sql, job.id, 'running');

    const failed = await untilStatus(jobs.sql, job.id, 'failed');

    expect(failed).toMatchObject({ attempts: 1, error_code: 'JOBS.VENDOR_CALLBACK_TIMEOUT' });
    const waited = (failed.finished_at?.getTime() ?? 0) - (running.started_at?.getTime() ?? 0);
    expect(waited).toBeGreaterThanOrEqual(CALLBACK_TIMEOUT_MS);
    expect(waited).toBeLessThan(CALLBACK_TIMEOUT_MS + 3_000);
  });

  it('refuses a callback with a bad signature (401) and changes nothing; the signed one then completes the job once', async () => {
    // given a job whose vendor acknowledged and calls back with the wrong secret
    const job = await runVendorJob('async-co', { callback: 'bad-signature' });
    await waitFor(() => asyncVendor.callbacks.some((callback) => callback.jobId === job.id), { description: 'the forged callback' });
    const forged = asyncVendor.callbacks.find((callback) => callback.jobId === job.id);
    expect(forged?.status).toBe(401);
    expect(JSON.parse(forged?.body ?? '{}')).toMatchObject({ code: 'JOBS.VENDOR_SIGNATURE_INVALID', status: 401 });
    const before = await jobState(jobs.sql, job.id);
    expect(before.status).toBe('running');

    // when the body is altered after signing, or the signature is stale, it is refused too
    const body = JSON.stringify({ jobId: job.id, status: 'succeeded', result: { n: 1 } });
    const tampered = await postCallback('async-co', body.replace('1', '2'), vendorSignatureHeaders(SECRET, body));
    const stale = await postCallback('async-co', body, vendorSignatureHeaders(SECRET, body, Date.now() - 10 * 60_000));
    const unsigned = await postCallback('async-co', body, {});
    expect([tampered.status, stale.status, unsigned.status]).toEqual([401, 401, 401]);
    expect(await callbackRows(job.id)).toEqual([]);
    expect(await jobState(jobs.sql, job.id)).toEqual(before);

    // then a correctly signed callback completes the job, and replaying it changes nothing
    const signed = vendorSignatureHeaders(SECRET, body);
    const accepted = await postCallback('async-co', body, signed);
    expect(accepted).toMatchObject({ status: 200, body: { jobId: job.id, duplicate: false } });
    expect((await untilStatus(jobs.sql, job.id, 'succeeded')).result).toEqual({ n: 1 });
    const replayed = await postCallback('async-co', body, signed);
    expect(replayed).toMatchObject({ status: 200, body: { duplicate: true } });
    const other = JSON.stringify({ jobId: job.id, status: 'failed', error: { message: 'changed my mind' } });
    expect((await postCallback('async-co', other, vendorSignatureHeaders(SECRET, other))).body).toMatchObject({
      status: 409,
      code: 'JOBS.VENDOR_CALLBACK_CONFLICT',
    });
    expect(await callbackRows(job.id)).toHaveLength(1);
  });

  it('answers 404 to a callback for an unknown vendor or a job that is not this vendor’s, and 400 to a malformed body', async () => {
    const body = JSON.stringify({ jobId: randomUUID(), status: 'succeeded', result: {} });
    expect((await postCallback('nobody', body, vendorSignatureHeaders(SECRET, body))).body).toMatchObject({ status: 404, code: 'JOBS.VENDOR_NOT_FOUND' });
    expect((await postCallback('sync-co', body, vendorSignatureHeaders(SECRET, body))).body).toMatchObject({ status: 404, code: 'JOBS.VENDOR_NOT_FOUND' });
    expect((await postCallback('async-co', body, vendorSignatureHeaders(SECRET, body))).body).toMatchObject({ status: 404, code: 'JOBS.VENDOR_JOB_NOT_FOUND' });
    const malformed = JSON.stringify({ jobId: 'not-a-uuid', status: 'done' });
    expect((await postCallback('async-co', malformed, vendorSignatureHeaders(SECRET, malformed))).body).toMatchObject({
      status: 400,
      code: 'REQUEST.INVALID',
    });
  });

  it('fails a job at once with JOBS.VENDOR_REJECTED when the vendor refuses it (4xx)', async () => {
    const job = await runVendorJob('sync-co', { rejectWith: 422, rejectMessage: 'unknown product code' });

    const failed = await untilStatus(jobs.sql, job.id, 'failed');

    expect(failed).toMatchObject({
      attempts: 1,
      error_code: 'JOBS.VENDOR_REJECTED',
      error_message: 'The vendor refused the request (HTTP 422): unknown product code',
    });
    expect(requestsFor(syncVendor, job.id)).toHaveLength(1);
  });

  it('retries a job the vendor answered with a 500, with the same Idempotency-Key, and succeeds', async () => {
    const job = await runVendorJob('sync-co', { failTimes: 1, failStatus: 500 });

    const done = await untilStatus(jobs.sql, job.id, 'succeeded');

    expect(done).toMatchObject({ attempts: 2, error_code: null });
    expect(requestsFor(syncVendor, job.id).map((request) => request.idempotencyKey)).toEqual([job.id, job.id]);
  });

  it('stops waiting for the callback when the job is canceled, and refuses the late callback', async () => {
    // given an async job waiting for a callback that will not come
    const job = await runVendorJob('async-co', { callback: 'none' });
    await waitFor(() => requestsFor(asyncVendor, job.id).length === 1, { description: 'the vendor to be called' });
    await untilStatus(jobs.sql, job.id, 'running');

    // when the client cancels it
    await cancelJob(jobs.sql, job.id);

    // then the run ends at once and writes nothing more
    await waitFor(() => runEnded(job.id), { description: 'the run to end', timeoutMs: 3_000 });
    expect(await jobState(jobs.sql, job.id)).toMatchObject({ status: 'canceled', error_code: null, result: null });
    expect(await eventTypes(jobs.sql, job.id)).toEqual(['jobs.job.started.v1']);
    const body = JSON.stringify({ jobId: job.id, status: 'succeeded', result: {} });
    expect((await postCallback('async-co', body, vendorSignatureHeaders(SECRET, body))).body).toMatchObject({
      status: 409,
      code: 'JOBS.VENDOR_CALLBACK_TOO_LATE',
    });
  });

  it('keeps a job over the rate limit waiting, not failed, until it is canceled', async () => {
    // given a vendor that takes one request a minute, and a job that used it
    const first = await runVendorJob('trickle-co', { n: 1 });
    await untilStatus(jobs.sql, first.id, 'succeeded');

    // when a second job runs
    const second = await runVendorJob('trickle-co', { n: 2 });
    await untilStatus(jobs.sql, second.id, 'running');

    // then it waits for a slot without calling the vendor, and a cancel ends the wait at once
    expect(trickleVendor.requests.map((request) => request.jobId)).toEqual([first.id]);
    expect((await jobState(jobs.sql, second.id)).status).toBe('running');
    await cancelJob(jobs.sql, second.id);
    await waitFor(() => runEnded(second.id), { description: 'the waiting run to end', timeoutMs: 3_000 });
    expect(trickleVendor.requests).toHaveLength(1);
    expect(await jobState(jobs.sql, second.id)).toMatchObject({ status: 'canceled', error_code: null });
  });

  it('refuses a job for a vendor that is not configured with 422 JOBS.UNKNOWN_VENDOR', async () => {
    const token = await signAccessToken({ userId: randomUUID() });

    const reply = await jobs.request('POST', '/v1/jobs', { token, body: { type: 'vendor.call', input: { vendor: 'nobody', payload: {} } } });

    expect(reply.status).toBe(422);
    expect(reply.body).toMatchObject({ code: 'JOBS.UNKNOWN_VENDOR', knownVendors: ['async-co', 'silent-co', 'sync-co', 'trickle-co'] });
    const missing = await jobs.request('POST', '/v1/jobs', { token, body: { type: 'vendor.call', input: { vendor: 'sync-co' } } });
    expect(missing.body).toMatchObject({ status: 400, code: 'REQUEST.INVALID' });
  });
});
