import { createEvent, JobCanceledV1, JobFailedV1, JobSucceededV1, UserRegisteredV1, type EventEnvelope } from '@conveyor/contracts';
import { AmqpConnection } from '@conveyor/messaging';
import { inboxHolds, signAccessToken, startServiceUnderTest, type ServiceUnderTest } from '@conveyor/service-testing';
import { startInMemoryTracing, waitFor, type InMemoryTracing } from '@conveyor/testing';
import { Value } from '@sinclair/typebox/value';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { profileSchema } from '../src/profiles/profile.view';
import type { UserConfig } from '../src/user.config';
import { userService } from '../src/user.definition';

type Outcome = 'succeeded' | 'failed' | 'canceled';

const SOURCE = '/conveyor/jobs';

/** A terminal job event of `userId`'s, ending at `endedAt`. */
function jobEnded(outcome: Outcome, userId: string, endedAt: string): EventEnvelope {
  const jobId = randomUUID();
  const facts = { jobId, userId, type: 'echo', metadata: {}, webhookUrl: null, submittedAt: '2025-01-15T09:00:00.000Z' };
  if (outcome === 'succeeded') {
    return createEvent(JobSucceededV1, {
      source: SOURCE,
      subject: jobId,
      data: { ...facts, status: 'succeeded', startedAt: facts.submittedAt, finishedAt: endedAt, result: null, resultUrl: `/v1/jobs/${jobId}/result` },
    });
  }
  if (outcome === 'failed') {
    return createEvent(JobFailedV1, {
      source: SOURCE,
      subject: jobId,
      data: { ...facts, status: 'failed', startedAt: null, finishedAt: endedAt, attempts: 1, error: { code: 'JOBS.TIMEOUT', message: 'Too slow.' } },
    });
  }
  return createEvent(JobCanceledV1, {
    source: SOURCE,
    subject: jobId,
    data: { ...facts, status: 'canceled', canceledFrom: 'queued', canceledAt: endedAt },
  });
}

describe('job activity on the profile, from terminal job events (real Postgres and RabbitMQ)', () => {
  let tracing: InMemoryTracing;
  let user: ServiceUnderTest<UserConfig>;
  let adminToken: string;

  beforeAll(async () => {
    // The consumer's spans say how each delivery ended (applied, or skipped by the inbox).
    tracing = startInMemoryTracing();
    user = await startServiceUnderTest(userService);
    adminToken = await signAccessToken({ roles: ['user', 'admin'] });
  });

  afterAll(async () => {
    await user?.close();
    await tracing?.shutdown();
  });

  /** A registered user whose profile the service has materialised. */
  const newUser = async () => {
    const userId = randomUUID();
    const email = `activity-${userId}@example.com`;
    await user.publish(
      createEvent(UserRegisteredV1, {
        source: '/conveyor/auth',
        subject: userId,
        data: { userId, email, name: 'Ada Lovelace', registeredAt: new Date().toISOString() },
      }),
    );
    await waitFor(async () => (await user.sql('SELECT 1 FROM users.profiles WHERE user_id = $1', [userId])).length === 1, {
      description: 'the profile',
    });
    return { userId, email, token: await signAccessToken({ userId, email }) };
  };

  /** Publishes the events one after another, each applied before the next is sent. */
  const applyInOrder = async (events: EventEnvelope[]) => {
    for (const event of events) {
      await user.publish(event);
      await inboxHolds(user.sql, 'users', event);
    }
  };

  const activityOf = async (token: string) => (await user.request('GET', '/v1/users/me', { token })).body['activity'];
  const activityRows = (userId: string) => user.sql('SELECT * FROM users.job_activity WHERE user_id = $1', [userId]);

  it('shows no jobs on a new profile, then counts each outcome, for the user and for administrators', async () => {
    // given a user without finished jobs
    const { userId, email, token } = await newUser();
    expect(await activityOf(token)).toEqual({ succeeded: 0, failed: 0, canceled: 0, lastJobAt: null });

    // when one job of each outcome ends
    await applyInOrder([
      jobEnded('succeeded', userId, '2025-02-01T10:00:00.000Z'),
      jobEnded('succeeded', userId, '2025-02-01T10:05:00.000Z'),
      jobEnded('failed', userId, '2025-02-01T10:10:00.000Z'),
      jobEnded('canceled', userId, '2025-02-01T10:02:00.000Z'),
    ]);

    // then every profile read shows the counts and the latest end, in the documented shape
    const expected = { succeeded: 2, failed: 1, canceled: 1, lastJobAt: '2025-02-01T10:10:00.000Z' };
    const me = await user.request('GET', '/v1/users/me', { token });
    const byId = await user.request('GET', `/v1/users/${userId}`, { token: adminToken });
    const listed = await user.request('GET', `/v1/users?q=${encodeURIComponent(email)}`, { token: adminToken });
    const renamed = await user.request('PATCH', '/v1/users/me', { token, body: { name: 'Ada King' } });
    const listedItems = listed.body['items'] as Record<string, unknown>[];
    for (const profile of [me.body, byId.body, renamed.body, ...listedItems]) {
      expect(profile['activity']).toEqual(expected);
      expect(Value.Errors(profileSchema, profile).First()).toBeUndefined();
    }
    expect(listedItems).toHaveLength(1);
  });

  it('counts a job once when its event is delivered twice', async () => {
    const { userId, token } = await newUser();
    const event = jobEnded('succeeded', userId, '2025-02-02T08:00:00.000Z');

    await user.publish(event);
    await user.publish(event);

    await waitFor(() => tracing.inboxOutcomes(event.id).length === 2, { description: 'both deliveries to be processed' });
    expect(tracing.inboxOutcomes(event.id).sort()).toEqual(['ALREADY_PROCESSED', 'APPLIED']);
    expect(await activityOf(token)).toEqual({ succeeded: 1, failed: 0, canceled: 0, lastJobAt: '2025-02-02T08:00:00.000Z' });
  });

  it('counts a job once when the broker link dies after the commit, before the ack', async () => {
    // given the handler is held inside its transaction (the spec holds the profile row's lock)
    const { userId, token } = await newUser();
    const event = jobEnded('failed', userId, '2025-02-03T08:00:00.000Z');
    const blocker = new Client({ connectionString: user.database.adminUrl });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT 1 FROM users.profiles WHERE user_id = $1 FOR UPDATE', [userId]);
      await user.publish(event);
      await waitFor(
        async () => (await user.sql(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)).length > 0,
        { description: 'the consumer to wait for the profile row' },
      );

      // when the broker connection dies (no ack can be sent), then the transaction commits
      cutBrokerConnection(user.app.get(AmqpConnection));
      await blocker.query('COMMIT');
    } finally {
      await blocker.end();
    }

    // then the broker delivers the event again, and the inbox turns that into a no-op
    await waitFor(() => tracing.inboxOutcomes(event.id).includes('ALREADY_PROCESSED'), {
      description: 'the redelivery to be skipped by the inbox',
      timeoutMs: 20_000,
    });
    expect(await activityOf(token)).toEqual({ succeeded: 0, failed: 1, canceled: 0, lastJobAt: '2025-02-03T08:00:00.000Z' });
  });

  it('reaches the same summary whatever order the events arrive in, lastJobAt being the latest end', async () => {
    // given two users whose jobs ended at the same times
    const [first, second] = [await newUser(), await newUser()];
    const ends: [Outcome, string][] = [
      ['succeeded', '2025-03-01T12:00:00.000Z'],
      ['canceled', '2025-03-01T12:30:00.000Z'],
      ['failed', '2025-03-01T13:00:00.000Z'],
      ['succeeded', '2025-03-01T12:15:00.000Z'],
    ];

    // when one hears of them in order and the other in the reverse order
    await applyInOrder(ends.map(([outcome, at]) => jobEnded(outcome, first.userId, at)));
    await applyInOrder([...ends].reverse().map(([outcome, at]) => jobEnded(outcome, second.userId, at)));

    // then both summaries are the same, and the latest end wins even when it came first
    const expected = { succeeded: 2, failed: 1, canceled: 1, lastJobAt: '2025-03-01T13:00:00.000Z' };
    expect(await activityOf(first.token)).toEqual(expected);
    expect(await activityOf(second.token)).toEqual(expected);
  });

  it('acks the event of a user it has no profile of and stores nothing', async () => {
    const userId = randomUUID();
    const event = jobEnded('succeeded', userId, '2025-02-04T08:00:00.000Z');

    await user.publish(event);

    await waitFor(() => tracing.inboxOutcomes(event.id).length > 0, { description: 'the event to be handled' });
    expect(tracing.inboxOutcomes(event.id)).toEqual(['APPLIED']);
    expect(await activityRows(userId)).toEqual([]);
    expect(await user.sql('SELECT 1 FROM users.profiles WHERE user_id = $1', [userId])).toEqual([]);
    expect(await user.sql('SELECT 1 FROM users.consumer_failures WHERE message_id = $1', [event.id])).toEqual([]);
  });

  it('forgets the summary when the account is deleted, and later events do not bring it back', async () => {
    // given a user with a counted job
    const { userId, token } = await newUser();
    await applyInOrder([jobEnded('succeeded', userId, '2025-02-05T08:00:00.000Z')]);
    expect(await activityRows(userId)).toHaveLength(1);

    // when the account is deleted, and a job of the user's ends afterwards
    expect((await user.request('DELETE', '/v1/users/me', { token })).status).toBe(204);
    expect(await activityRows(userId)).toEqual([]);
    const late = jobEnded('canceled', userId, '2025-02-05T09:00:00.000Z');
    await user.publish(late);

    // then the event is acked and nothing is stored: the profile stays an anonymous tombstone
    await waitFor(() => tracing.inboxOutcomes(late.id).length > 0, { description: 'the late event to be handled' });
    expect(tracing.inboxOutcomes(late.id)).toEqual(['APPLIED']);
    expect(await activityRows(userId)).toEqual([]);
    expect(await user.sql('SELECT email, name FROM users.profiles WHERE user_id = $1', [userId])).toEqual([{ email: null, name: null }]);
    expect((await user.request('GET', `/v1/users/${userId}`, { token: adminToken })).status).toBe(404);
  });
});

/** Simulates a crash of the service's broker link: the socket dies, no close handshake. */
function cutBrokerConnection(connection: AmqpConnection): void {
  // Test-only reach into amqp-connection-manager for the live amqplib connection's socket.
  const manager = (connection as unknown as { manager: { connection?: { connection: { stream: { destroy(error: Error): void } } } } }).manager;
  manager.connection?.connection.stream.destroy(new Error('simulated network failure'));
}
