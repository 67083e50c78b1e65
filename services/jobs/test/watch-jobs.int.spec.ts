import { createServiceApp, type RunningService } from '@conveyor/platform';
import { signAccessToken, STACK_TRACE, startServiceUnderTest, type ServiceUnderTest } from '@conveyor/service-testing';
import { waitFor } from '@conveyor/testing';
import { randomUUID } from 'node:crypto';
import type { JobsConfig } from '../src/jobs.config';
import { jobsService } from '../src/jobs.definition';
import { insertPendingJob, reservation, untilStatus } from './job-processing.fixtures';

jest.setTimeout(30_000);

interface StreamEvent {
  id: string;
  data: { id: string; jobId: string; type: string; status: string; at: string };
}

/**
 * A Server-Sent Events client: collects the stream's events as they arrive, until the server
 * ends the stream or `close` is called.
 */
function openStream(url: string, token: string, lastEventId?: string) {
  const events: StreamEvent[] = [];
  const controller = new AbortController();
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'text/event-stream' };
  if (lastEventId) headers['last-event-id'] = lastEventId;
  const response = fetch(url, { headers, signal: controller.signal });
  const ended = response.then(async (answer) => {
    if (!answer.body) return;
    const decoder = new TextDecoder();
    let pending = '';
    try {
      for await (const chunk of answer.body) {
        pending += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = pending.indexOf('\n\n')) >= 0) {
          const block = pending.slice(0, end);
          pending = pending.slice(end + 2);
          const fields = Object.fromEntries(
            block
              .split('\n')
              .filter((line) => line && !line.startsWith(':'))
              .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]),
          );
          if (fields['data']) events.push({ id: fields['id'], data: JSON.parse(fields['data']) });
        }
      }
    } catch (error) {
      if (!controller.signal.aborted) throw error;
    }
  });
  return { response, events, ended, close: () => controller.abort() };
}

const statuses = (events: StreamEvent[]) => events.map((event) => event.data.status);

describe('live job status over Server-Sent Events (real Postgres and RabbitMQ)', () => {
  // The harness's instance serves the API only; a second instance runs the jobs.
  let api: ServiceUnderTest<JobsConfig>;
  let worker: RunningService;

  beforeAll(async () => {
    api = await startServiceUnderTest(jobsService, { JOBS_ROLE: 'api' });
    worker = await createServiceApp(jobsService, {
      ...api.config,
      JOBS_ROLE: 'worker' as const,
      HTTP_PORT: 0,
      WORKER_POLL_INTERVAL_MS: 50,
    });
    await worker.start();
  });
  afterAll(async () => {
    await worker?.stop();
    await api?.close();
  });

  it('streams every status of a job run by another instance, in order, and ends after the final one', async () => {
    // given a pending job and its owner watching it
    const job = await insertPendingJob(api.sql, { input: { delayMs: 50 } });
    const stream = openStream(`${api.url}/v1/jobs/${job.id}/events`, await signAccessToken({ userId: job.userId }));
    expect((await stream.response).headers.get('content-type')).toMatch(/^text\/event-stream/);

    // when billing reserves it and the worker instance runs it
    await api.publish(reservation(job));

    // then
    await stream.ended;
    expect(statuses(stream.events)).toEqual(['pending', 'queued', 'running', 'succeeded']);
    expect(stream.events.every((event) => event.data.jobId === job.id && event.data.type === 'echo')).toBe(true);
    const ids = stream.events.map((event) => BigInt(event.id));
    expect([...ids].sort((a, b) => (a < b ? -1 : 1))).toEqual(ids);
  });

  it('resumes from Last-Event-ID without missing or repeating a change', async () => {
    // given a client watching all its jobs, and a job that runs for a while
    const userId = randomUUID();
    const token = await signAccessToken({ userId });
    const first = openStream(`${api.url}/v1/jobs/events`, token);
    await first.response;
    const job = await insertPendingJob(api.sql, { userId, input: { delayMs: 300 } });
    await api.publish(reservation(job));

    // when the connection drops once the job is queued, and the job finishes meanwhile
    await waitFor(() => statuses(first.events).includes('queued'), { description: 'the queued event' });
    first.close();
    const lastSeen = first.events[first.events.length - 1];
    await untilStatus(api.sql, job.id, 'succeeded');
    const second = openStream(`${api.url}/v1/jobs/events`, token, lastSeen?.id);

    // then the second connection brings exactly the changes after the last one seen
    await waitFor(() => statuses(second.events).includes('succeeded'), { description: 'the succeeded event' });
    second.close();
    expect([...statuses(first.events), ...statuses(second.events)]).toEqual(['pending', 'queued', 'running', 'succeeded']);
  });

  it("shows a client only its own jobs' changes", async () => {
    // given two clients, one watching everything it may see
    const [watcher, other] = [randomUUID(), randomUUID()];
    const stream = openStream(`${api.url}/v1/jobs/events`, await signAccessToken({ userId: watcher }));
    await stream.response;

    // when the other client's job runs, then the watcher's own
    const othersJob = await insertPendingJob(api.sql, { userId: other });
    await api.publish(reservation(othersJob));
    await untilStatus(api.sql, othersJob.id, 'succeeded');
    const ownJob = await insertPendingJob(api.sql, { userId: watcher });
    await api.publish(reservation(ownJob));

    // then only its own job appears
    await waitFor(() => statuses(stream.events).includes('succeeded'), { description: "the watcher's job to finish" });
    stream.close();
    expect(new Set(stream.events.map((event) => event.data.jobId))).toEqual(new Set([ownJob.id]));
  });

  it('answers problem details for a job of another client, a bad Last-Event-ID and a missing credential', async () => {
    const job = await insertPendingJob(api.sql);
    const stranger = await signAccessToken();
    const owner = await signAccessToken({ userId: job.userId });

    const notYours = await api.request('GET', `/v1/jobs/${job.id}/events`, { token: stranger });
    const badResume = await api.request('GET', `/v1/jobs/events`, { token: owner, headers: { 'last-event-id': 'yesterday' } });
    const anonymous = await api.request('GET', `/v1/jobs/events`);

    expect(notYours).toMatchObject({ status: 404, body: { code: 'JOBS.JOB_NOT_FOUND' } });
    expect(badResume).toMatchObject({ status: 400, body: { code: 'JOBS.INVALID_LAST_EVENT_ID' } });
    expect(anonymous).toMatchObject({ status: 401, body: { code: 'AUTH.UNAUTHENTICATED' } });
    for (const reply of [notYours, badResume, anonymous]) expect(reply.text).not.toMatch(STACK_TRACE);
  });

  it('ends open streams when an instance shuts down, so the shutdown does not wait for them', async () => {
    // given a stream served by an instance of its own
    const instance = await createServiceApp(jobsService, { ...api.config, JOBS_ROLE: 'api' as const, HTTP_PORT: 0, SHUTDOWN_TIMEOUT_MS: 3_000 });
    const url = await instance.start();
    const stream = openStream(`${url}/v1/jobs/events`, await signAccessToken());
    expect((await stream.response).status).toBe(200);

    // when the instance stops, then the stop completes within its deadline and the stream ends
    await expect(instance.stop()).resolves.toBeUndefined();
    await stream.ended;
  });
});
