import { createEvent, UserDeletedV1 } from '@conveyor/contracts';
import { signAccessToken, startServiceUnderTest, type ServiceUnderTest } from '@conveyor/service-testing';
import { waitFor } from '@conveyor/testing';
import { randomUUID } from 'node:crypto';
import type { JobsConfig } from '../src/jobs.config';
import { jobsService } from '../src/jobs.definition';
import { projectedApiKey } from './api-key.fixtures';
import { reservation } from './job-processing.fixtures';

const deletion = (userId: string) =>
  createEvent(UserDeletedV1, { source: '/conveyor/user', subject: userId, data: { userId, deletedBy: 'admin', deletedAt: new Date().toISOString() } });

describe('users.user.deleted.v1 in jobs (real Postgres and RabbitMQ)', () => {
  let jobs: ServiceUnderTest<JobsConfig>;

  beforeAll(async () => {
    // No workers: queued jobs stay queued until the deletion cancels them.
    jobs = await startServiceUnderTest(jobsService, { JOBS_ROLE: 'api' });
  });

  afterAll(() => jobs?.close());

  const submit = async (token: string) => {
    const reply = await jobs.request('POST', '/v1/jobs', { token, body: { type: 'echo', input: {} } });
    expect(reply.status).toBe(202);
    return String(reply.body['id']);
  };
  const statusOf = async (id: string) => (await jobs.sql<{ status: string }>(`SELECT status FROM jobs.jobs WHERE id = $1`, [id]))[0]?.status;
  const handled = (eventId: string) =>
    waitFor(async () => (await jobs.sql(`SELECT 1 FROM jobs.inbox WHERE event_id = $1`, [eventId])).length === 1, {
      description: `event ${eventId} to be handled`,
    });
  const canceledEvents = (userId: string) =>
    jobs.sql<{ data: Record<string, unknown> }>(
      `SELECT envelope->'data' AS data FROM jobs.outbox WHERE event_type = 'jobs.job.canceled.v1' AND envelope->'data'->>'userId' = $1`,
      [userId],
    );

  it("cancels the user's pending and queued jobs with their events, and refuses the user's key and tokens", async () => {
    // given a client with a key, a pending job and a queued one, and another client's job
    const { userId, key } = await projectedApiKey(jobs);
    const token = await signAccessToken({ userId });
    const pending = await submit(key);
    const queued = await submit(token);
    await jobs.publish(reservation({ id: queued, userId }));
    await waitFor(async () => (await statusOf(queued)) === 'queued', { description: 'the job to be queued' });
    const other = await signAccessToken();
    const othersJob = await submit(other);

    // when the user is deleted
    const event = deletion(userId);
    await jobs.publish(event);
    await handled(event.id);

    // then both jobs are canceled, each with one event, and the client is locked out
    expect(await statusOf(pending)).toBe('canceled');
    expect(await statusOf(queued)).toBe('canceled');
    const events = await canceledEvents(userId);
    expect(events.map((e) => [e.data['jobId'], e.data['canceledFrom']]).sort()).toEqual(
      [
        [pending, 'pending'],
        [queued, 'queued'],
      ].sort(),
    );
    // The submit may have cached the key; the revoke's NOTIFY drops it milliseconds after the commit.
    await waitFor(async () => (await jobs.request('GET', '/v1/jobs', { token: key })).status === 401, {
      description: "the user's key to be refused",
      timeoutMs: 1_000,
      intervalMs: 5,
    });
    const byToken = await jobs.request('GET', '/v1/jobs', { token });
    expect(byToken.status).toBe(401);
    expect((await jobs.request('POST', '/v1/jobs', { token, body: { type: 'echo', input: {} } })).status).toBe(401);
    // someone else is untouched
    expect(await statusOf(othersJob)).toBe('pending');
    expect((await jobs.request('GET', `/v1/jobs/${othersJob}`, { token: other })).status).toBe(200);
  });

  it('has one effect when the same event is delivered twice, or another deletion event follows', async () => {
    const userId = randomUUID();
    const token = await signAccessToken({ userId });
    await submit(token);
    await submit(token);
    const event = deletion(userId);

    await jobs.publish(event);
    await jobs.publish(event);
    const again = deletion(userId);
    await jobs.publish(again);
    await handled(event.id);
    await handled(again.id);

    expect(await canceledEvents(userId)).toHaveLength(2);
  });
});
