import type { ChannelWrapper } from 'amqp-connection-manager';
import type { ConfirmChannel } from 'amqplib';
import type { EventEnvelope } from '@conveyor/contracts';
import type { AmqpConnection } from './amqp-connection';
import { UnroutableEventError } from './unroutable-event.error';
import { assertEventExchange, type TopologyNames } from './topology';

/**
 * Publishes CloudEvents envelopes (structured mode: the whole envelope is the body) to the
 * event exchange with publisher confirms and `mandatory`. The returned promise resolves only
 * once the broker has taken responsibility for the message, and rejects when it was
 * unroutable, nacked, or not confirmed within the timeout.
 *
 * Types in `withoutConsumers` are announcements that no service needs to receive (e.g.
 * webhook-delivery's delivery outcomes, which nobody may subscribe to): they are published
 * without `mandatory`, so with no queue bound the broker drops them and the publish succeeds,
 * instead of the outbox row failing, backing off and being abandoned a quarter of an hour later
 * (and holding the outbox-age alerts up all the while). A queue bound later gets them from then on.
 */
export class EventPublisher {
  private readonly channel: ChannelWrapper;
  /** Ids being published now, and those of them the broker returned as unroutable. */
  private readonly pending = new Set<string>();
  private readonly returned = new Set<string>();

  private readonly withoutConsumers: ReadonlySet<string>;

  constructor(
    private readonly connection: AmqpConnection,
    private readonly names: TopologyNames,
    private readonly publishTimeoutMs = 5_000,
    withoutConsumers: Iterable<string> = [],
  ) {
    this.withoutConsumers = new Set(withoutConsumers);
    this.channel = connection.createChannel({
      name: 'publisher',
      confirm: true,
      setup: async (channel: ConfirmChannel) => {
        await assertEventExchange(channel, names);
        // A return always precedes the confirm of the same message. One arriving after its
        // publish gave up (timeout) is ignored, so it cannot taint a later retry.
        channel.on('return', (msg) => {
          const id = String(msg.properties.messageId);
          if (this.pending.has(id)) this.returned.add(id);
        });
      },
    });
  }

  async publish(event: EventEnvelope): Promise<void> {
    const headers = {
      ...(event.traceparent && { traceparent: event.traceparent }),
      ...(event.tracestate && { tracestate: event.tracestate }),
    };
    this.pending.add(event.id);
    try {
      await this.channel.publish(this.names.exchange, event.type, Buffer.from(JSON.stringify(event)), {
        persistent: true,
        mandatory: !this.withoutConsumers.has(event.type),
        messageId: event.id,
        type: event.type,
        contentType: 'application/cloudevents+json',
        timestamp: Math.floor(Date.parse(event.time) / 1000),
        headers,
        timeout: this.publishTimeoutMs,
      });
    } finally {
      this.pending.delete(event.id);
    }
    if (this.returned.delete(event.id)) throw new UnroutableEventError(event.type);
  }

  /** Whether a publish can reach the broker right now. */
  isReady(): boolean {
    return this.connection.isConnected();
  }

  async close(): Promise<void> {
    await this.channel.close();
  }
}
