import { createEvent, UserRegisteredV1 } from '@conveyor/contracts';
import { startThrowawayPostgres, TEST_AMQP_URL, waitFor, type ThrowawayPostgres } from '@conveyor/testing';
import { connect, type ChannelModel } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { startConsumerHarness, type ConsumerHarness } from './consumer-harness';

describe('a consumer whose database goes away', () => {
  let postgres: ThrowawayPostgres;
  let harness: ConsumerHarness;
  let probe: ChannelModel;

  beforeAll(async () => {
    postgres = await startThrowawayPostgres();
    // One redelivery at most: if the outage counted as failed deliveries, the event would be
    // dead-lettered within the first second.
    harness = await startConsumerHarness({ deliveryLimit: 1, databaseServerUrl: postgres.adminUrl });
    probe = await connect(TEST_AMQP_URL);
  }, 60_000);

  afterAll(async () => {
    await probe?.close();
    await harness?.close().catch(() => undefined);
    await postgres?.destroy();
  });

  it('holds the event through the outage and applies it once the database is back', async () => {
    const channel = await probe.createChannel();
    const event = createEvent(UserRegisteredV1, {
      source: '/test',
      subject: randomUUID(),
      data: { userId: randomUUID(), email: 'outage@example.com', name: null, registeredAt: new Date().toISOString() },
    });

    // given the database is down when the event arrives
    await postgres.stop('immediate');
    await harness.publisher.publish(event);
    await waitFor(async () => (await channel.checkQueue(harness.names.queue)).messageCount === 0, {
      description: 'the consumer to take the event',
    });

    // when the outage lasts several seconds (far longer than the retry back-off)
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await postgres.start();

    // then the event is applied once and nothing was dead-lettered
    await waitFor(() => harness.effectsOf(event.id), { description: 'the event to be applied', timeoutMs: 20_000 });
    expect((await channel.checkQueue(harness.names.deadLetterQueue)).messageCount).toBe(0);
    expect(await harness.effectsOf(event.id)).toBe(1);
  }, 60_000);
});
