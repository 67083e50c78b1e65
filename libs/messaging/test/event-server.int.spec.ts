import { createEvent, UserRegisteredV1, type EventEnvelope } from '@conveyor/contracts';
import { Attr } from '@conveyor/tracing';
import { startInMemoryTracing, TEST_AMQP_URL, waitFor, type InMemoryTracing } from '@conveyor/testing';
import { context, trace } from '@opentelemetry/api';
import { connect, type Channel, type ChannelModel } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { startConsumerHarness, type ConsumerHarness } from './consumer-harness';

const registered = (email: string) =>
  createEvent(UserRegisteredV1, {
    source: '/test',
    subject: randomUUID(),
    data: { userId: randomUUID(), email, name: null, registeredAt: new Date().toISOString() },
  });

describe('EventServer (real RabbitMQ and Postgres)', () => {
  let harness: ConsumerHarness;
  let tracing: InMemoryTracing;
  let raw: ChannelModel;
  let channel: Channel;

  beforeAll(async () => {
    tracing = startInMemoryTracing();
    harness = await startConsumerHarness({ deliveryLimit: 3 });
    raw = await connect(TEST_AMQP_URL);
    channel = await raw.createChannel();
  });

  afterAll(async () => {
    await raw?.close();
    await harness?.close();
    tracing?.shutdown();
  });

  beforeEach(() => {
    harness.behaviour.current = () => undefined;
  });

  const publishRaw = (routingKey: string, body: string) =>
    channel.publish(harness.names.exchange, routingKey, Buffer.from(body), { persistent: true });

  const nextDeadLetter = () =>
    waitFor(async () => channel.get(harness.names.deadLetterQueue, { noAck: true }), {
      description: 'a message in the dead-letter queue',
    });


  it('applies an event once when it is delivered twice', async () => {
    const event = registered('twice@example.com');

    await harness.publisher.publish(event);
    await harness.publisher.publish(event);

    await waitFor(() => tracing.inboxOutcomes(event.id).length === 2, { description: 'both deliveries processed' });
    expect(tracing.inboxOutcomes(event.id).sort()).toEqual(['ALREADY_PROCESSED', 'APPLIED']);
    expect(await harness.effectsOf(event.id)).toBe(1);
  });

  it('applies an event once when the consumer dies between commit and ack', async () => {
    // given the broker link dies right after the handler's transaction committed
    const event = registered('crash-before-ack@example.com');
    harness.behaviour.current = (applied) => {
      if (applied.id !== event.id) return;
      harness.afterCommit.current = () => {
        harness.afterCommit.current = undefined;
        cutBrokerConnection(harness);
      };
    };

    // when the event arrives, commits, and its ack cannot be sent
    await harness.publisher.publish(event);

    // then the broker redelivers it and the inbox turns the second delivery into a no-op
    await waitFor(() => tracing.inboxOutcomes(event.id).includes('ALREADY_PROCESSED'), {
      description: 'the redelivery to be skipped by the inbox',
      timeoutMs: 20_000,
    });
    expect(await harness.effectsOf(event.id)).toBe(1);
  });

  it('dead-letters a malformed message at once and keeps consuming', async () => {
    publishRaw(UserRegisteredV1.type, '{ not json');
    const good = registered('after-garbage@example.com');
    await harness.publisher.publish(good);

    const dead = await nextDeadLetter();
    expect(dead.content.toString()).toBe('{ not json');
    await waitFor(() => harness.effectsOf(good.id), { description: 'the valid event to be applied' });
  });

  it('dead-letters an event whose data breaks its contract', async () => {
    const event = { ...registered('x@example.com'), data: { userId: 'not-a-uuid' } };
    publishRaw(UserRegisteredV1.type, JSON.stringify(event));

    const dead = await nextDeadLetter();
    expect(JSON.parse(dead.content.toString()).id).toBe(event.id);
    expect(await harness.effectsOf(event.id)).toBe(0);
  });

  it('dead-letters an event whose handler always throws after the bounded retries, and keeps consuming', async () => {
    // given a handler that fails for one email only
    harness.behaviour.current = (event) => {
      if (event.data.email === 'poison@example.com') throw new Error('always broken');
    };
    const poison = registered('poison@example.com');

    // when the poison event and a healthy one arrive
    await harness.publisher.publish(poison);
    const healthy = registered('healthy@example.com');
    await harness.publisher.publish(healthy);

    // then the healthy one is applied, and the poison one ends in the dead-letter queue after
    // the first delivery plus `deliveryLimit` redeliveries, with none of its effects committed
    await waitFor(() => harness.effectsOf(healthy.id), { description: 'the healthy event to be applied' });
    const dead = await nextDeadLetter();
    expect(JSON.parse(dead.content.toString()).id).toBe(poison.id);
    const attempts = tracing.spans().filter((s) => s.attributes[Attr.messagingMessageId] === poison.id);
    expect(attempts).toHaveLength(1 + 3);
    expect(await harness.effectsOf(poison.id)).toBe(0);
  });

  it('upcasts the legacy user.created shape and applies it once', async () => {
    const id = randomUUID();
    const legacy = JSON.stringify({ id, email: 'Legacy@Example.com', name: 'Old', createdAt: '2024-05-01T10:00:00.000Z' });

    publishRaw('user.created', legacy);
    publishRaw('user.created', legacy);

    const rows = await waitFor(
      async () => {
        const found = await harness.dataSource.query("SELECT event_id FROM auth.effects WHERE email = 'legacy@example.com'");
        return found.length > 0 && found;
      },
      { description: 'the upcast event to be applied' },
    );
    await waitFor(() => tracing.inboxOutcomes(rows[0].event_id).length === 2, { description: 'both legacy copies processed' });
    expect(await harness.effectsOf(rows[0].event_id)).toBe(1);
  });

  it('continues the trace carried by the event', async () => {
    const parent = trace.getTracer('test').startSpan('request');
    const carrier = parent.spanContext();
    const event = {
      ...registered('traced@example.com'),
      traceparent: `00-${carrier.traceId}-${carrier.spanId}-01`,
    };
    parent.end();

    await context.with(trace.setSpan(context.active(), parent), () => harness.publisher.publish(event));

    const span = await waitFor(
      () => tracing.spans().find((s) => s.attributes[Attr.messagingMessageId] === event.id),
      { description: 'the process span' },
    );
    expect(span.spanContext().traceId).toBe(carrier.traceId);
    expect(span.parentSpanContext?.spanId).toBe(carrier.spanId);
    expect(span.attributes[Attr.messagingSystem]).toBe('rabbitmq');
  });
});

describe('EventServer with a prefilter', () => {
  let harness: ConsumerHarness;
  let tracing: InMemoryTracing;

  beforeAll(async () => {
    tracing = startInMemoryTracing();
    // Turns down the events of example.org; cannot answer for broken.example.
    const prefilter = {
      concerns: async (event: EventEnvelope) => {
        const email = String((event.data as { email: string }).email);
        if (email.endsWith('@broken.example')) throw new Error('the check failed');
        return !email.endsWith('@example.org');
      },
    };
    harness = await startConsumerHarness({ prefilter });
  });

  afterAll(async () => {
    await harness?.close();
    tracing?.shutdown();
  });

  const outcomeOf = (eventId: string) => waitFor(() => tracing.inboxOutcomes(eventId)[0], { description: 'the event to be processed' });

  it('acks an event it turns down without running the handler or writing the inbox', async () => {
    const event = registered('nobody@example.org');
    await harness.publisher.publish(event);

    expect(await outcomeOf(event.id)).toBe('SKIPPED');
    expect(await harness.effectsOf(event.id)).toBe(0);
    expect(await harness.inInbox(event.id)).toBe(false);
  });

  it('applies the events it lets through, and those it could not judge', async () => {
    for (const event of [registered('somebody@example.com'), registered('unknown@broken.example')]) {
      await harness.publisher.publish(event);
      expect(await outcomeOf(event.id)).toBe('APPLIED');
      expect(await harness.effectsOf(event.id)).toBe(1);
      expect(await harness.inInbox(event.id)).toBe(true);
    }
  });
});

describe('EventServer shutdown', () => {
  it('lets the handler in flight commit and ack, and takes no new message once closing', async () => {
    const harness = await startConsumerHarness();
    const probe = await connect(TEST_AMQP_URL);
    try {
      // given a handler that is busy with one event
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let busy = false;
      harness.behaviour.current = async (event) => {
        if (event.data.email !== 'slow@example.com') return;
        busy = true;
        await gate;
      };
      const slow = registered('slow@example.com');
      await harness.publisher.publish(slow);
      await waitFor(() => busy, { description: 'the handler to start' });

      // when shutdown begins, another event arrives, and then the busy handler finishes
      const stopped = harness.stopConsuming();
      const late = registered('late@example.com');
      await harness.publisher.publish(late);
      release();
      await stopped;

      // then the busy event was applied and acked, and the late one waits in the queue
      expect(await harness.effectsOf(slow.id)).toBe(1);
      expect(await harness.effectsOf(late.id)).toBe(0);
      const { messageCount } = await (await probe.createChannel()).checkQueue(harness.names.queue);
      expect(messageCount).toBe(1);
    } finally {
      await probe.close();
      await harness.close();
    }
  });
});

/** Simulates a crash of the consumer's network link: the socket dies, no close handshake. */
function cutBrokerConnection(harness: ConsumerHarness): void {
  // Test-only reach into amqp-connection-manager for the live amqplib connection's socket.
  const manager = (harness.connection as unknown as { manager: { connection?: { connection: { stream: { destroy(error: Error): void } } } } })
    .manager;
  manager.connection?.connection.stream.destroy(new Error('simulated network failure'));
}
