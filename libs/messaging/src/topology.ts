import type { Channel } from 'amqplib';

/** Names of everything one service touches on the broker, under an optional namespace. */
export interface TopologyNames {
  exchange: string;
  deadLetterExchange: string;
  queue: string;
  deadLetterQueue: string;
  /** Routing key from the dead-letter exchange into this service's dead-letter queue. */
  deadLetterKey: string;
  /** The service's own work queue, for messages internal to it (jobs' work tokens). */
  workQueue: string;
}

export function topologyNames(namespace: string, service: string): TopologyNames {
  const ns = namespace ? `${namespace}.` : '';
  return {
    exchange: `${ns}conveyor.events`,
    deadLetterExchange: `${ns}conveyor.dead-letter`,
    queue: `${ns}${service}.events`,
    deadLetterQueue: `${ns}${service}.dead-letter`,
    deadLetterKey: service,
    workQueue: `${ns}${service}.work`,
  };
}

export async function assertEventExchange(channel: Channel, names: TopologyNames): Promise<void> {
  await channel.assertExchange(names.exchange, 'topic', { durable: true });
}

/**
 * Declares a service's durable quorum queue, bound to the event types it handles, with a
 * delivery limit: after the first delivery and `deliveryLimit` redeliveries the broker itself
 * dead-letters the message, so a poison message can never loop forever. Messages rejected without
 * requeue (invalid ones) go to the same dead-letter queue at once.
 */
export async function assertConsumerTopology(
  channel: Channel,
  names: TopologyNames,
  routingKeys: readonly string[],
  deliveryLimit: number,
): Promise<void> {
  await assertEventExchange(channel, names);
  await channel.assertExchange(names.deadLetterExchange, 'direct', { durable: true });
  await channel.assertQueue(names.deadLetterQueue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await channel.bindQueue(names.deadLetterQueue, names.deadLetterExchange, names.deadLetterKey);
  await channel.assertQueue(names.queue, {
    durable: true,
    arguments: {
      'x-queue-type': 'quorum',
      'x-delivery-limit': deliveryLimit,
      'x-dead-letter-exchange': names.deadLetterExchange,
      'x-dead-letter-routing-key': names.deadLetterKey,
      // A dead-lettered message is removed only once the dead-letter queue confirmed it
      // (the broker's default would drop it if that hand-over failed).
      'x-dead-letter-strategy': 'at-least-once',
      'x-overflow': 'reject-publish',
    },
  });
  for (const key of routingKeys) {
    await channel.bindQueue(names.queue, names.exchange, key);
  }
}

/**
 * Declares a service's work queue: durable and quorum (replicated, so it survives the loss of a
 * broker node), bound to the events exchange for `routingKey` only. Its messages are wake-up
 * tokens the service sends itself, so there is no dead-letter queue: a token redelivered more
 * than `deliveryLimit` times is dropped by the broker, and the service's own fallback (a poll)
 * covers for it.
 */
export async function assertWorkQueue(channel: Channel, names: TopologyNames, routingKey: string, deliveryLimit: number): Promise<void> {
  await assertEventExchange(channel, names);
  await channel.assertQueue(names.workQueue, {
    durable: true,
    arguments: { 'x-queue-type': 'quorum', 'x-delivery-limit': deliveryLimit },
  });
  await channel.bindQueue(names.workQueue, names.exchange, routingKey);
}
