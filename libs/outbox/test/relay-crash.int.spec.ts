import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern } from '@nestjs/microservices';
import { UserRegisteredV1, type EventEnvelope } from '@conveyor/contracts';
import { EventContext, EventServer, inboxTableSql, topologyNames } from '@conveyor/messaging';
import { Attr } from '@conveyor/tracing';
import { startInMemoryTracing, waitFor, type InMemoryTracing } from '@conveyor/testing';
import type { RelayPublisher } from '../src';
import { newEvent, startOutboxHarness, type OutboxHarness } from './outbox-harness';

/** Records every applied event; the inbox decides what counts as applied. */
@Controller()
class ApplyOnce {
  @EventPattern(UserRegisteredV1.type)
  async handle(_: unknown, @Ctx() ctx: EventContext) {
    await ctx.manager.query('INSERT INTO auth.effects (event_id) VALUES ($1)', [ctx.event.id]);
  }
}

@Module({ controllers: [ApplyOnce] })
class ConsumerModule {}

describe('a relay that dies after the broker confirmed but before it marked the row', () => {
  let h: OutboxHarness;
  let tracing: InMemoryTracing;
  let consumer: INestMicroservice;

  beforeAll(async () => {
    tracing = startInMemoryTracing();
    h = await startOutboxHarness();
    for (const sql of inboxTableSql('auth')) await h.dataSource.query(sql);
    await h.dataSource.query('CREATE TABLE auth.effects (event_id uuid NOT NULL)');
    // The consumer listens on the harness's exchange, under a queue of its own.
    const names = topologyNames(h.namespace, 'consumer');
    const server = new EventServer({
      connection: h.connection,
      names,
      dataSource: h.dataSource,
      schema: 'auth',
      consumer: 'consumer',
      deliveryLimit: 3,
    });
    consumer = await NestFactory.createMicroservice(ConsumerModule, { strategy: server, logger: false });
    await consumer.listen();
    await waitFor(() => h.connection.isHealthy(), { description: 'the consumer to subscribe' });
  });

  afterAll(async () => {
    await consumer?.close();
    await h?.close();
    await tracing?.shutdown();
  });

  it('is published again by the next relay and applied once by the consumer', async () => {
    // given a relay whose process "dies" right after its first confirmed publish
    const doomed = await h.openDataSource('doomed-relay');
    let dead = false;
    const dyingPublisher: RelayPublisher = {
      isReady: () => !dead && h.publisher.isReady(),
      publish: async (event: EventEnvelope) => {
        if (dead) throw new Error('this relay is dead');
        await h.publisher.publish(event);
        dead = true;
        // Its database session goes with it: the row lock is released, the mark never happens.
        await h.dataSource.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'doomed-relay' AND datname = current_database()",
        );
      },
    };
    h.relay({ dataSource: doomed, publisher: dyingPublisher, listenUrl: undefined });
    const event = newEvent();

    // when the event is committed and the doomed relay publishes it
    await h.commit(event);
    await waitFor(() => dead, { description: 'the relay to publish and die' });
    expect(await h.unpublished()).toBe(1);

    // and a new relay starts
    h.relay();

    // then the event reaches the consumer twice and takes effect once
    const outcomes = () =>
      tracing
        .spans()
        .filter((s) => s.attributes[Attr.messagingMessageId] === event.id)
        .map((s) => s.attributes[Attr.inboxOutcome])
        .filter(Boolean)
        .sort();
    await waitFor(() => outcomes().length === 2, { description: 'both deliveries to be processed' });
    expect(outcomes()).toEqual(['ALREADY_PROCESSED', 'APPLIED']);
    const [{ n }] = await h.dataSource.query('SELECT count(*)::int AS n FROM auth.effects WHERE event_id = $1', [event.id]);
    expect(n).toBe(1);
    await waitFor(async () => (await h.unpublished()) === 0, { description: 'the new relay to mark the row' });
  });
});

