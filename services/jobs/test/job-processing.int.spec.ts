import { startServiceUnderTest, type ServiceUnderTest } from '@conveyor/service-testing';
import { startInMemoryTracing, waitFor, type InMemoryTracing } from '@conveyor/testing';
import { Attr } from '@conveyor/tracing';
import { randomBytes, randomUUID } from 'node:crypto';
import type { JobsConfig } from '../src/jobs.config';
import { jobsService } from '../src/jobs.definition';
import {
  cancelJob,
  eventTypes,
  insertPendingJob,
  jobState,
  outboxEvents,
  rejection,
  reservation,
  untilApplied,
  untilStatus,
} from './job-processing.fixtures';

jest.setTimeout(30_000);

describe('job processing: billing decisions, the worker and the echo processor (real Postgres and RabbitMQ)', () => {
  let tracing: InMemoryTracing;
  let jobs: ServiceUnderTest<JobsConfig>;

  beforeAll(async () => {
    tracing = startInMemoryTracing();
    jobs = await startServiceUnderTest(jobsService, { WORKER_POLL_INTERVAL_MS: '100' });
  });

  afterAll(async () => {
    await jobs?.close();
    await tracing?.shutdown();
  });

  const spansOf = (name: string, jobId: string) =>
    tracing.spans().filter((span) => span.name === name && span.attributes[Attr.jobId] === jobId);

  it('queues a job billing reserved, runs echo and records its result, started before succeeded', async () => {
    // given
    const job = await insertPendingJob(jobs.sql, { input: { greeting: 'hello', list: [1, 2], delayMs: 50 } });

    // when
    await jobs.publish(reservation(job));

    // then
    const done = await untilStatus(jobs.sql, job.id, 'succeeded');
    expect(done).toMatchObject({ attempts: 1, result: { greeting: 'hello', list: [1, 2] }, error_code: null });
    const [queuedAt, startedAt, finishedAt] = [done.queued_at, done.started_at, done.finished_at].map((at) => at?.getTime() ?? NaN);
    expect(queuedAt).toBeLessThanOrEqual(startedAt);
    expect(startedAt).toBeLessThanOrEqual(finishedAt);
    const events = await outboxEvents(jobs.sql, job.id);
    expect(events.map((event) => event.type)).toEqual(['jobs.job.started.v1', 'jobs.job.succeeded.v1']);
    const [started, succeeded] = events;
    expect(started.data).toMatchObject({ jobId: job.id, userId: job.userId, type: 'echo', metadata: { order: '42' }, attempt: 1 });
    expect(succeeded.data).toMatchObject({
      status: 'succeeded',
      result: { greeting: 'hello', list: [1, 2] },
      resultUrl: `/v1/jobs/${job.id}/result`,
      startedAt: done.started_at?.toISOString(),
      finishedAt: done.finished_at?.toISOString(),
    });
  });

  it('rejects a job billing refused, with the reason, and never runs it', async () => {
    const job = await insertPendingJob(jobs.sql);

    await jobs.publish(rejection(job));

    const rejected = await untilStatus(jobs.sql, job.id, 'rejected');
    expect(rejected).toMatchObject({ reason: 'insufficient_credits', attempts: 0, started_at: null });
    const events = await outboxEvents(jobs.sql, job.id);
    expect(events.map((event) => event.type)).toEqual(['jobs.job.rejected.v1']);
    expect(events[0].data).toMatchObject({ jobId: job.id, status: 'rejected', reason: 'insufficient_credits' });
  });

  it('fails a job whose processor fails permanently, with its code and message', async () => {
    const job = await insertPendingJob(jobs.sql, { input: { failWith: 'the echo was told to fail' } });

    await jobs.publish(reservation(job));

    const failed = await untilStatus(jobs.sql, job.id, 'failed');
    expect(failed).toMatchObject({ attempts: 1, error_code: 'JOBS.ECHO_FAILED', error_message: 'the echo was told to fail', result: null });
    const events = await outboxEvents(jobs.sql, job.id);
    expect(events.map((event) => event.type)).toEqual(['jobs.job.started.v1', 'jobs.job.failed.v1']);
    expect(events[1].data).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { code: 'JOBS.ECHO_FAILED', message: 'the echo was told to fail' },
    });
  });

  it('fails a job of a type no processor runs', async () => {
    const job = await insertPendingJob(jobs.sql, { type: 'no.such-type' });

    await jobs.publish(reservation(job));

    const failed = await untilStatus(jobs.sql, job.id, 'failed');
    expect(failed.error_code).toBe('JOBS.UNKNOWN_JOB_TYPE');
    expect(await eventTypes(jobs.sql, job.id)).toEqual(['jobs.job.started.v1', 'jobs.job.failed.v1']);
  });

  it('runs a job once when its reservation is delivered twice, or reserved again after it ran', async () => {
    // given the same reservation delivered twice
    const job = await insertPendingJob(jobs.sql, { input: { n: 1 } });
    const reserved = reservation(job);
    await jobs.publish(reserved);
    await jobs.publish(reserved);
    await waitFor(() => tracing.inboxOutcomes(reserved.id).length === 2, { description: 'both deliveries to be handled' });
    expect(tracing.inboxOutcomes(reserved.id).sort()).toEqual(['ALREADY_PROCESSED', 'APPLIED']);
    const done = await untilStatus(jobs.sql, job.id, 'succeeded');

    // when a second, distinct reservation and a late rejection arrive after it finished
    const again = reservation(job);
    const refused = rejection(job);
    await jobs.publish(again);
    await jobs.publish(refused);
    await untilApplied(jobs.sql, again.id);
    await untilApplied(jobs.sql, refused.id);

    // then nothing moved
    expect(await jobState(jobs.sql, job.id)).toEqual(done);
    expect(await eventTypes(jobs.sql, job.id)).toEqual(['jobs.job.started.v1', 'jobs.job.succeeded.v1']);
  });

  it('leaves a canceled job canceled when its reservation arrives late', async () => {
    // given a pending job the client canceled
    const job = await insertPendingJob(jobs.sql);
    await cancelJob(jobs.sql, job.id);
    const canceled = await jobState(jobs.sql, job.id);

    // when billing's reservation arrives afterwards
    const reserved = reservation(job);
    await jobs.publish(reserved);
    await untilApplied(jobs.sql, reserved.id);

    // then
    expect(await jobState(jobs.sql, job.id)).toEqual(canceled);
    expect(await eventTypes(jobs.sql, job.id)).toEqual([]);
  });

  it('retries a reservation for a job it does not know yet, and applies it once the job exists', async () => {
    // given a reservation for a job whose row is not there (yet)
    const job = { id: randomUUID(), userId: randomUUID() };
    const reserved = reservation(job);
    await jobs.publish(reserved);
    await waitFor(() => tracing.spans().some((s) => s.attributes[Attr.messagingMessageId] === reserved.id), {
      description: 'the first, failed delivery',
    });
    expect(tracing.inboxOutcomes(reserved.id)).toEqual([]);

    // when the row appears
    await jobs.sql(`INSERT INTO jobs.jobs (id, user_id, type, input, status) VALUES ($1, $2, 'echo', '{}', 'pending')`, [job.id, job.userId]);

    // then a redelivery applies it
    await untilStatus(jobs.sql, job.id, 'succeeded');
    expect(tracing.inboxOutcomes(reserved.id)).toEqual(['APPLIED']);
  });

  it.each([
    ['with a notification', true],
    ['without a notification (the poll notices)', false],
  ])('aborts a running job canceled %s, and writes nothing more', async (_, notify) => {
    // given a slow job that is running
    const job = await insertPendingJob(jobs.sql, { input: { delayMs: 20_000 } });
    await jobs.publish(reservation(job));
    await untilStatus(jobs.sql, job.id, 'running');

    // when the client cancels it
    await cancelJob(jobs.sql, job.id, { notify });

    // then its run ends at once, long before the delay is over
    await waitFor(() => spansOf('run job echo', job.id).length === 1, { description: 'the run to end', timeoutMs: 3_000 });
    const state = await jobState(jobs.sql, job.id);
    expect(state).toMatchObject({ status: 'canceled', result: null, error_code: null });
    expect(await eventTypes(jobs.sql, job.id)).toEqual(['jobs.job.started.v1']);
  });

  it("continues the job's trace from billing's reservation into the worker's events", async () => {
    // given a reservation that belongs to a trace
    const traceId = randomBytes(16).toString('hex');
    const job = await insertPendingJob(jobs.sql);

    // when
    await jobs.publish(reservation(job, { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` }));
    await untilStatus(jobs.sql, job.id, 'succeeded');

    // then the worker's events carry that trace on
    const rows = await jobs.sql<{ event_type: string; trace_context: { traceparent?: string } }>(
      `SELECT event_type, trace_context FROM jobs.outbox WHERE envelope->>'subject' = $1 ORDER BY seq`,
      [job.id],
    );
    expect(rows.map((row) => row.event_type)).toEqual(['jobs.job.started.v1', 'jobs.job.succeeded.v1']);
    for (const row of rows) expect(row.trace_context.traceparent).toContain(traceId);
    expect(spansOf('run job echo', job.id)[0].spanContext().traceId).toBe(traceId);
  });
});
