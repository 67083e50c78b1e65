import { createEvent, UserRegisteredV1 } from '@conveyor/contracts';
import { TEST_AMQP_URL, waitFor } from '@conveyor/testing';
import { connect, type Channel, type ChannelModel } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { DeadLetterQueue } from '../src';
import { startConsumerHarness, type ConsumerHarness } from './consumer-harness';

const registered = (email: string) =>
  createEvent(UserRegisteredV1, {
    source: '/test',
    subject: randomUUID(),
    data: { userId: randomUUID(), email, name: null, registeredAt: new Date().toISOString() },
  });

describe('operating a dead-letter queue (real RabbitMQ and Postgres)', () => {
  let harness: ConsumerHarness;
  let dlq: DeadLetterQueue;
  let raw: ChannelModel;
  let channel: Channel;
  let broken = true;

  beforeAll(async () => {
    harness = await startConsumerHarness({ deliveryLimit: 1 });
    dlq = new DeadLetterQueue(TEST_AMQP_URL, harness.names, 1);
    raw = await connect(TEST_AMQP_URL);
    channel = await raw.createChannel();
  });
  afterAll(async () => {
    await raw?.close();
    await harness?.close();
  });
  beforeEach(() => {
    // A handler that fails while the "bug" is in, for poison addresses only.
    harness.behaviour.current = (event) => {
      if (broken && event.data.email.startsWith('poison')) throw new Error('the handler has a bug');
    };
  });

  const deadLetterCount = async () => (await channel.checkQueue(harness.names.deadLetterQueue)).messageCount;
  const untilDeadLetters = (count: number) =>
    waitFor(async () => (await deadLetterCount()) === count, { description: `${count} dead letters` });

  it('lists dead letters with their type, id and reason, and leaves them in place', async () => {
    // given an event its handler keeps failing on, and a message that is not an event at all
    const poison = registered('poison-1@example.com');
    await harness.publisher.publish(poison);
    channel.publish(harness.names.exchange, UserRegisteredV1.type, Buffer.from('{not json'), { messageId: 'garbage-1' });
    await untilDeadLetters(2);

    // when
    const listed = await dlq.list();

    // then
    expect(listed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: poison.id, type: UserRegisteredV1.type, reason: 'delivery_limit', deliveries: 2 }),
        expect.objectContaining({ id: 'garbage-1', type: UserRegisteredV1.type, reason: 'rejected', deliveries: 1, bytes: 9 }),
      ]),
    );
    expect(listed.every((letter) => letter.deadLetteredAt !== null)).toBe(true);
    expect(await deadLetterCount()).toBe(2);
  });

  it('replays one message back to its consumer, which applies it once the bug is fixed', async () => {
    // given the poison event of the test above is still dead-lettered, and the bug is fixed
    const [poison] = (await dlq.list()).filter((letter) => letter.reason === 'delivery_limit');
    broken = false;

    // when it is replayed
    expect(await dlq.replay({ id: String(poison?.id) })).toBe(1);

    // then the consumer applies it exactly once, and only the garbage stays
    await waitFor(async () => (await harness.effectsOf(String(poison?.id))) === 1, { description: 'the replayed event' });
    expect((await dlq.list()).map((letter) => letter.id)).toEqual(['garbage-1']);
    // and replaying the same event again (say from a backup) changes nothing: the inbox knows it
    await harness.publisher.publish(registered('healthy@example.com'));
    expect(await harness.effectsOf(String(poison?.id))).toBe(1);
  });

  it('discards what is selected', async () => {
    expect(await dlq.discard({ id: 'no-such-message' })).toBe(0);
    expect(await dlq.discard('all')).toBe(1);
    expect(await dlq.list()).toEqual([]);
  });
});
