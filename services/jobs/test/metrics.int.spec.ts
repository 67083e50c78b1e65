import { signAccessToken, startServiceUnderTest, type ServiceUnderTest } from '@conveyor/service-testing';
import { scrapeMetrics, waitFor } from '@conveyor/testing';
import { randomUUID } from 'node:crypto';
import type { JobsConfig } from '../src/jobs.config';
import { jobsService } from '../src/jobs.definition';
import { reservation, untilStatus } from './job-processing.fixtures';

jest.setTimeout(30_000);

describe('GET /metrics of the jobs service (real Postgres and RabbitMQ)', () => {
  let jobs: ServiceUnderTest<JobsConfig>;

  beforeAll(async () => {
    jobs = await startServiceUnderTest(jobsService, { WORKER_POLL_INTERVAL_MS: '50' });
  });
  afterAll(() => jobs?.close());

  it('shows requests, consumed events, finished jobs and the outbox backlog moving during a job', async () => {
    // given the figures before
    const before = await scrapeMetrics(jobs.url);
    const submitted = { method: 'POST', route: '/v1/jobs', status: '202' };
    const reserved = { consumer: 'jobs', type: 'billing.credits.reserved.v1', outcome: 'applied' };

    // when a client submits a job, billing reserves it and it runs
    const userId = randomUUID();
    const token = await signAccessToken({ userId });
    const reply = await jobs.request('POST', '/v1/jobs', { token, body: { type: 'echo', input: { n: 1 } } });
    expect(reply.status).toBe(202);
    const job = { id: String(reply.body['id']), userId };
    await jobs.publish(reservation(job));
    await untilStatus(jobs.sql, job.id, 'succeeded');

    // then every series moved by what happened. Nothing consumes the jobs events in this spec's
    // namespace, so the relay cannot publish them (mandatory delivery): they wait in the outbox.
    const after = await waitFor(
      async () => {
        const scrape = await scrapeMetrics(jobs.url);
        return scrape.value('conveyor_outbox_pending_rows', { service: 'jobs' }) >= 3 && scrape;
      },
      { description: "the job's three events to wait in the outbox" },
    );
    expect(after.value('conveyor_outbox_oldest_pending_age_seconds', { service: 'jobs' })).toBeGreaterThan(0);
    expect(after.value('http_requests_total', submitted)).toBe(before.value('http_requests_total', submitted) + 1);
    expect(after.value('http_request_duration_seconds_count', submitted)).toBe(before.value('http_request_duration_seconds_count', submitted) + 1);
    expect(after.value('conveyor_events_consumed_total', reserved)).toBe(before.value('conveyor_events_consumed_total', reserved) + 1);
    const succeeded = { type: 'echo', status: 'succeeded' };
    expect(after.value('conveyor_jobs_finished_total', succeeded)).toBe(before.value('conveyor_jobs_finished_total', succeeded) + 1);
    expect(after.value('conveyor_job_run_duration_seconds_count', succeeded)).toBe(
      before.value('conveyor_job_run_duration_seconds_count', succeeded) + 1,
    );
    expect(after.names).toEqual(expect.arrayContaining(['conveyor_outbox_published_total', 'process_cpu_seconds_total']));
  });

  it('labels requests by route template, never by id', async () => {
    const token = await signAccessToken();
    await jobs.request('GET', `/v1/jobs/${randomUUID()}`, { token });
    const scrape = await scrapeMetrics(jobs.url);
    expect(scrape.value('http_requests_total', { route: '/v1/jobs/:id', status: '404' })).toBeGreaterThanOrEqual(1);
    const text = await (await fetch(`${jobs.url}/metrics`)).text();
    expect(text).not.toMatch(/route="\/v1\/jobs\/[0-9a-f]{8}-/);
  });
});
