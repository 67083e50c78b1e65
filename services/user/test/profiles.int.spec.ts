import { createEvent, UserRegisteredV1, type EventOf } from '@conveyor/contracts';
import { AmqpConnection } from '@conveyor/messaging';
import { startInMemoryTracing, TEST_AMQP_URL, waitFor, type InMemoryTracing } from '@conveyor/testing';
import { randomUUID } from 'node:crypto';
import { signAccessToken, startServiceUnderTest, type ServiceUnderTest } from '@conveyor/service-testing';
import type { UserConfig } from '../src/user.config';
import { userService } from '../src/user.definition';

type ChannelWrapper = ReturnType<AmqpConnection['createChannel']>;

const registration = (data: Partial<EventOf<typeof UserRegisteredV1>['data']> = {}) => {
  const userId = data.userId ?? randomUUID();
  return createEvent(UserRegisteredV1, {
    source: '/conveyor/auth',
    subject: userId,
    data: {
      userId,
      email: `profile-${userId}@example.com`,
      name: 'Ada Lovelace',
      registeredAt: new Date().toISOString(),
      ...data,
    },
  });
};

describe('user profiles from registration events (real Postgres and RabbitMQ)', () => {
  let tracing: InMemoryTracing;
  let user: ServiceUnderTest<UserConfig>;
  let connection: AmqpConnection;
  let legacy: ChannelWrapper;

  beforeAll(async () => {
    // The consumer's spans say how each delivery ended (applied or skipped by the inbox).
    tracing = startInMemoryTracing();
    user = await startServiceUnderTest(userService);
    connection = new AmqpConnection(TEST_AMQP_URL, 'test');
    // The legacy monolith publishes plain JSON without an envelope; the exchange already exists.
    legacy = connection.createChannel({
      name: 'legacy',
      confirm: true,
      setup: async (channel: { checkExchange(exchange: string): Promise<unknown> }) => {
        await channel.checkExchange(user.names.exchange);
      },
    });
  });

  afterAll(async () => {
    await legacy?.close();
    await connection?.close();
    await user?.close();
    await tracing?.shutdown();
  });

  const myProfile = async (userId: string, email = 'someone@example.com') =>
    user.request('GET', '/v1/users/me', { token: await signAccessToken({ userId, email }) });

  const profileOnceReadable = (userId: string) =>
    waitFor(
      async () => {
        const reply = await myProfile(userId);
        return reply.status === 200 && reply.body;
      },
      { description: `the profile of ${userId}`, timeoutMs: 10_000 },
    );


  it('answers 404 USERS.PROFILE_NOT_FOUND until the registration event arrives, then serves the profile', async () => {
    // given a registered user whose event has not been published yet
    const event = registration({ name: 'Grace Hopper' });
    const before = await myProfile(event.data.userId);
    expect(before.status).toBe(404);
    expect(before.contentType).toMatch(/^application\/problem\+json/);
    expect(before.body).toMatchObject({ status: 404, code: 'USERS.PROFILE_NOT_FOUND' });

    // when
    await user.publish(event);

    // then
    const profile = await profileOnceReadable(event.data.userId);
    expect(profile).toEqual({
      id: event.data.userId,
      email: event.data.email,
      name: 'Grace Hopper',
      registeredAt: event.data.registeredAt,
      updatedAt: expect.any(String),
      activity: { succeeded: 0, failed: 0, canceled: 0, lastJobAt: null },
    });
  });

  it('keeps one profile and one inbox row when the same event is delivered twice', async () => {
    const event = registration();

    await user.publish(event);
    await user.publish(event);

    await waitFor(() => tracing.inboxOutcomes(event.id).length === 2, { description: 'both deliveries to be processed' });
    expect(tracing.inboxOutcomes(event.id).sort()).toEqual(['ALREADY_PROCESSED', 'APPLIED']);
    const profiles = await user.sql('SELECT user_id FROM users.profiles WHERE user_id = $1', [event.data.userId]);
    const inbox = await user.sql('SELECT consumer FROM users.inbox WHERE event_id = $1', [event.id]);
    expect(profiles).toHaveLength(1);
    expect(inbox).toEqual([{ consumer: 'user' }]);
  });

  it('creates a profile with the email lower-cased from a legacy user.created message', async () => {
    // given the monolith's message, with an upper-case id and a mixed-case email
    const id = randomUUID();
    const body = {
      id: id.toUpperCase(),
      email: 'Grace.Hopper@Example.COM',
      name: 'Grace Hopper',
      createdAt: '2019-03-04T10:20:30.000Z',
    };

    // when
    const content = Buffer.from(JSON.stringify(body));
    await legacy.publish(user.names.exchange, 'user.created', content, { persistent: true });

    // then
    const profile = await profileOnceReadable(id);
    expect(profile).toMatchObject({
      id,
      email: 'grace.hopper@example.com',
      name: 'Grace Hopper',
      registeredAt: body.createdAt,
    });
    const rows = await user.sql('SELECT email FROM users.profiles WHERE user_id = $1', [id]);
    expect(rows).toEqual([{ email: 'grace.hopper@example.com' }]);
  });
});
