import { createEvent, UserRegisteredV1, type EventEnvelope } from '@conveyor/contracts';
import { AmqpConnection, EventPublisher, topologyNames, type TopologyNames } from '@conveyor/messaging';
import { dataSourceOptions } from '@conveyor/persistence';
import { createTestDatabase, deleteBrokerObjects, TEST_AMQP_URL, uniqueName, type TestDatabase } from '@conveyor/testing';
import { connect, type ChannelModel } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { OutboxRelay, outboxTableSql, OutboxWriter, type OutboxRelayOptions } from '../src';

export const newEvent = (email = `${randomUUID()}@example.com`): EventEnvelope =>
  createEvent(UserRegisteredV1, {
    source: '/test',
    subject: randomUUID(),
    data: { userId: randomUUID(), email, name: null, registeredAt: new Date().toISOString() },
  });

/**
 * An outbox in its own database, a publisher on its own exchange, and a probe queue bound to
 * every routing key that records what reached the broker, by event id.
 */
export async function startOutboxHarness(amqpUrl = TEST_AMQP_URL, databaseServerUrl?: string) {
  const db: TestDatabase = await createTestDatabase({ serverUrl: databaseServerUrl });
  const dataSources: DataSource[] = [];
  const openDataSource = async (applicationName = 'outbox-test') => {
    const ds = new DataSource(dataSourceOptions({ url: db.urlFor('auth'), schema: 'auth', applicationName, poolSize: 5 }));
    await ds.initialize();
    dataSources.push(ds);
    return ds;
  };
  const dataSource = await openDataSource();
  for (const sql of outboxTableSql('auth')) await dataSource.query(sql);

  const namespace = uniqueName('outbox');
  const names: TopologyNames = topologyNames(namespace, 'probe');
  const connection = new AmqpConnection(amqpUrl, 'outbox-test');
  const publisher = new EventPublisher(connection, names);

  const received: string[] = [];
  const probe: ChannelModel = await connect(amqpUrl);
  const channel = await probe.createChannel();
  await channel.assertExchange(names.exchange, 'topic', { durable: true });
  await channel.assertQueue(names.queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await channel.bindQueue(names.queue, names.exchange, '#');
  await channel.consume(names.queue, (msg) => msg && received.push(String(msg.properties.messageId)), { noAck: true });

  const relays: OutboxRelay[] = [];
  const writer = new OutboxWriter('auth');

  return {
    db,
    dataSource,
    openDataSource,
    connection,
    publisher,
    namespace,
    names,
    received,
    writer,
    /** Commits `events` through the outbox in one transaction. */
    commit: (...events: EventEnvelope[]) =>
      dataSource.transaction(async (manager) => {
        for (const event of events) await writer.add(event, manager);
      }),
    relay(options: Partial<OutboxRelayOptions> = {}) {
      const relay = new OutboxRelay({
        dataSource,
        schema: 'auth',
        publisher,
        listenUrl: db.urlFor('auth'),
        pollIntervalMs: 200,
        retentionHours: 24,
        ...options,
      });
      relays.push(relay);
      relay.start();
      return relay;
    },
    unpublished: async () =>
      Number((await dataSource.query('SELECT count(*) AS n FROM auth.outbox WHERE published_at IS NULL'))[0].n),
    async stopRelays() {
      await Promise.all(relays.splice(0).map((r) => r.stop()));
    },
    async close() {
      await Promise.all(relays.map((r) => r.stop()));
      await probe.close().catch(() => undefined);
      await publisher.close();
      await connection.close();
      await Promise.all(dataSources.map((ds) => ds.isInitialized && ds.destroy()));
      await db.drop();
      // The consumer some specs add lives in the same namespace under the name 'consumer'.
      const consumer = topologyNames(namespace, 'consumer');
      await deleteBrokerObjects(
        {
          queues: [names.queue, consumer.queue, consumer.deadLetterQueue],
          exchanges: [names.exchange, names.deadLetterExchange],
        },
        amqpUrl,
      ).catch(() => undefined);
    },
  };
}

export type OutboxHarness = Awaited<ReturnType<typeof startOutboxHarness>>;
