import { Controller, Inject, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { UserRegisteredV1, type EventOf } from '@conveyor/contracts';
import { dataSourceOptions } from '@conveyor/persistence';
import { createTestDatabase, deleteBrokerObjects, TEST_AMQP_URL, uniqueName, waitFor, type TestDatabase } from '@conveyor/testing';
import { DataSource, EventSubscriber, type EntitySubscriberInterface } from 'typeorm';
import { AmqpConnection, consumerFailuresTableSql, EventContext, EventPublisher, EventServer, inboxTableSql, topologyNames, type EventPrefilter } from '../src';

/** What the recording handler does for an event, chosen by the event's email. */
export type Behaviour = (event: EventOf<typeof UserRegisteredV1>, context: EventContext) => Promise<void> | void;

const BEHAVIOUR = Symbol('BEHAVIOUR');

/** Writes one `effects` row per applied event, after whatever the test's behaviour does. */
@Controller()
class RecordingHandler {
  constructor(@Inject(BEHAVIOUR) private readonly behaviour: { current: Behaviour }) {}

  @EventPattern(UserRegisteredV1.type)
  async handle(@Payload() event: EventOf<typeof UserRegisteredV1>, @Ctx() context: EventContext) {
    await context.manager.query('INSERT INTO auth.effects (event_id, email) VALUES ($1, $2)', [
      event.id,
      event.data.email,
    ]);
    await this.behaviour.current(event, context);
  }
}

/**
 * A consumer service in miniature: its own database (the auth schema, an inbox and an
 * `effects` table), its own exchange and queues, and an EventServer hosting RecordingHandler.
 */
export async function startConsumerHarness(
  options: { deliveryLimit?: number; databaseServerUrl?: string; prefilter?: EventPrefilter } = {},
) {
  const db: TestDatabase = await createTestDatabase({ serverUrl: options.databaseServerUrl });
  const afterCommit: { current?: () => void } = {};
  @EventSubscriber()
  class CommitHook implements EntitySubscriberInterface {
    afterTransactionCommit(): void {
      afterCommit.current?.();
    }
  }
  const dataSource = new DataSource({
    ...dataSourceOptions({ url: db.urlFor('auth'), schema: 'auth', poolSize: 4 }),
    subscribers: [CommitHook],
  });
  await dataSource.initialize();
  for (const sql of [...inboxTableSql('auth'), ...consumerFailuresTableSql('auth')]) await dataSource.query(sql);
  await dataSource.query('CREATE TABLE auth.effects (event_id uuid NOT NULL, email text NOT NULL)');

  const namespace = uniqueName('msg');
  const names = topologyNames(namespace, 'recorder');
  const connection = new AmqpConnection(TEST_AMQP_URL, 'recorder');
  const behaviour = { current: (() => undefined) as Behaviour };
  const server = new EventServer({
    connection,
    names,
    dataSource,
    schema: 'auth',
    consumer: 'recorder',
    deliveryLimit: options.deliveryLimit ?? 3,
    maxRetryDelayMs: 50,
    prefilter: options.prefilter,
  });

  @Module({ controllers: [RecordingHandler], providers: [{ provide: BEHAVIOUR, useValue: behaviour }] })
  class HarnessModule {}

  const app: INestMicroservice = await NestFactory.createMicroservice(HarnessModule, { strategy: server, logger: false });
  await app.listen();
  await waitFor(() => connection.isHealthy(), { description: 'the consumer to subscribe' });
  const publisher = new EventPublisher(connection, names);

  return {
    db,
    dataSource,
    names,
    connection,
    publisher,
    behaviour,
    /** Runs once right after the next transaction on the harness's database commits. */
    afterCommit,
    /** Stops the consumer the way a service's shutdown does. */
    stopConsuming: () => app.close(),
    /** Whether the inbox holds the event. */
    inInbox: async (eventId: string) => (await dataSource.query('SELECT 1 FROM auth.inbox WHERE event_id = $1', [eventId])).length > 0,
    /** Applied effects of one event id. */
    effectsOf: async (eventId: string) =>
      Number((await dataSource.query('SELECT count(*) AS n FROM auth.effects WHERE event_id = $1', [eventId]))[0].n),
    async close() {
      await app.close();
      await publisher.close();
      await connection.close();
      await dataSource.destroy();
      await db.drop();
      await deleteBrokerObjects({
        queues: [names.queue, names.deadLetterQueue],
        exchanges: [names.exchange, names.deadLetterExchange],
      });
    },
  };
}

export type ConsumerHarness = Awaited<ReturnType<typeof startConsumerHarness>>;
