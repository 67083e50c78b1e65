import { eventsConsumed } from '@conveyor/metrics';
import { routingKeyOf } from './dead-letters';
import { Logger } from '@nestjs/common';
import { CustomTransportStrategy, Server, type MessageHandler } from '@nestjs/microservices';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { legacyRoutingKeysFor, parseEvent, type EventEnvelope } from '@conveyor/contracts';
import { isDatabaseUnavailable } from '@conveyor/persistence';
import { Attr, restoreTraceContext, tracer } from '@conveyor/tracing';
import type { ChannelWrapper } from 'amqp-connection-manager';
import type { Channel, ConsumeMessage } from 'amqplib';
import { lastValueFrom } from 'rxjs';
import type { DataSource } from 'typeorm';
import type { AmqpConnection } from './amqp-connection';
import { EventContext } from './event-context';
import type { EventPrefilter } from './event-prefilter';
import { describe, parseJson, settle } from './consumed-message';
import { recordConsumerFailure, recordInInbox } from './inbox';
import { assertConsumerTopology, type TopologyNames } from './topology';

export interface EventServerOptions {
  connection: AmqpConnection;
  names: TopologyNames;
  dataSource: DataSource;
  /** Schema holding this service's inbox table. */
  schema: string;
  /** Inbox key: the name this service consumes under. */
  consumer: string;
  deliveryLimit: number;
  prefetch?: number;
  /** Longest pause before a failed message is handed back for another delivery. */
  maxRetryDelayMs?: number;
  /** Acks events that cannot concern this service without a transaction (see EventPrefilter). */
  prefilter?: EventPrefilter;
}

type Outcome = 'APPLIED' | 'ALREADY_PROCESSED' | 'SKIPPED' | 'DEAD_LETTERED' | 'RETRY';

/** The outcome label of `conveyor_events_consumed_total`. */
const OUTCOME_LABELS: Record<Outcome, string> = {
  APPLIED: 'applied',
  ALREADY_PROCESSED: 'duplicate',
  SKIPPED: 'skipped',
  DEAD_LETTERED: 'dead_lettered',
  RETRY: 'retry',
};

/**
 * A Nest microservice transport over RabbitMQ that delivers CloudEvents to `@EventPattern`
 * handlers effectively once:
 * - the envelope is validated (and old shapes upcast) before any handler runs; an invalid
 *   message is rejected without requeue, i.e. dead-lettered at once;
 * - the handler runs in a Postgres transaction that also inserts the inbox row, so a
 *   redelivered event is skipped, and its outbox writes commit with its effects;
 * - events the service's prefilter says cannot concern it are acked without a transaction;
 * - the message is acked only after that commit; if the process dies in between, the
 *   broker redelivers and the inbox turns the second delivery into a no-op;
 * - a failing handler's message is requeued after a short pause; the queue's delivery
 *   limit moves it to the dead-letter queue when it keeps failing;
 * - while the database is unreachable the message is held (unacked) and retried in place, so
 *   an outage does not use up its deliveries and dead-letter healthy events;
 * - the service starts without waiting for the broker, and resubscribes after reconnects.
 */
export class EventServer extends Server implements CustomTransportStrategy {
  private channel?: ChannelWrapper;
  /** The live subscription: the raw channel it is on and its consumer tag. */
  private consumer?: { channel: Channel; tag: string };
  private readonly inFlight = new Set<Promise<unknown>>();
  private closing = false;
  protected override readonly logger = new Logger(EventServer.name);

  constructor(private readonly options: EventServerOptions) {
    super();
  }

  /**
   * Subscribes whenever the broker is (again) reachable. Start-up does not wait for it: the
   * service serves HTTP and writes its outbox meanwhile, and readiness reports the broker down.
   */
  listen(callback: (error?: unknown) => void): void {
    const { connection, names, deliveryLimit, prefetch = 20 } = this.options;
    this.channel = connection.createChannel({
      name: 'consumer',
      setup: async (channel: Channel) => {
        if (this.closing) return;
        await assertConsumerTopology(channel, names, this.routingKeys(), deliveryLimit);
        await channel.prefetch(prefetch);
        const { consumerTag } = await channel.consume(names.queue, (msg) => msg && this.track(this.onMessage(channel, msg)));
        this.consumer = { channel, tag: consumerTag };
      },
    });
    callback();
  }

  /**
   * Stops taking messages (cancels the subscription, so the broker sends no more), waits for
   * every handler in flight to commit and ack, then closes the channel.
   */
  async close(): Promise<void> {
    this.closing = true;
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.channel.cancel(consumer.tag).catch(() => undefined);
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    await this.channel?.close();
  }

  on(): void {
    throw new Error('EventServer does not emit transport events');
  }

  unwrap<T>(): T {
    return this.channel as T;
  }

  /** The event types with a handler, plus the legacy routing keys that upcast into them. */
  private routingKeys(): string[] {
    const types = [...this.messageHandlers.keys()];
    return [...new Set([...types, ...types.flatMap((type) => legacyRoutingKeysFor(type))])].sort();
  }

  private track(work: Promise<unknown>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private async onMessage(channel: Channel, msg: ConsumeMessage): Promise<Outcome> {
    const outcome = await this.handle(channel, msg);
    eventsConsumed.inc({ consumer: this.options.consumer, type: routingKeyOf(msg), outcome: OUTCOME_LABELS[outcome] });
    return outcome;
  }

  private async handle(channel: Channel, msg: ConsumeMessage): Promise<Outcome> {
    if (this.closing) {
      // Delivered while the cancel was on its way: hand it back untouched for another instance.
      settle(() => channel.nack(msg, false, true));
      return 'RETRY';
    }
    const deliveryCount = Number(msg.properties.headers?.['x-delivery-count'] ?? 0) + 1;
    const parsed = parseEvent(parseJson(msg.content), routingKeyOf(msg));
    if (!parsed.ok) {
      this.logger.warn(`Dead-lettering invalid message on ${routingKeyOf(msg)}: ${parsed.reason}`);
      if (typeof msg.properties.messageId === 'string') {
        await this.recordFailure(msg.properties.messageId, routingKeyOf(msg), `invalid message: ${parsed.reason}`);
      }
      settle(() => channel.nack(msg, false, false));
      return 'DEAD_LETTERED';
    }
    const event = parsed.event;
    const handler = this.getHandlerByPattern(event.type);
    if (!handler) {
      this.logger.warn(`Dead-lettering ${event.type} ${event.id}: no handler is registered for it`);
      await this.recordFailure(event.id, event.type, 'no handler is registered for this event type');
      settle(() => channel.nack(msg, false, false));
      return 'DEAD_LETTERED';
    }

    const parent = restoreTraceContext({ traceparent: event.traceparent, tracestate: event.tracestate });
    return tracer().startActiveSpan(
      `process ${this.options.names.queue}`,
      { kind: SpanKind.CONSUMER, attributes: this.spanAttributes(event, msg) },
      parent,
      async (span) => {
        try {
          const outcome = (await this.concernsUs(event)) ? await this.applyThroughOutages(event, deliveryCount, handler) : 'SKIPPED';
          span.setAttribute(Attr.inboxOutcome, outcome);
          settle(() => channel.ack(msg));
          return outcome;
        } catch (error) {
          span.recordException(error as Error);
          span.setStatus({ code: SpanStatusCode.ERROR });
          this.logger.error(
            `Handler for ${event.type} ${event.id} failed (attempt ${deliveryCount} of ${this.options.deliveryLimit + 1}): ${describe(error)}`,
          );
          await this.recordFailure(event.id, event.type, describe(error));
          await this.pauseBeforeRetry(deliveryCount);
          settle(() => channel.nack(msg, false, true));
          return 'RETRY';
        } finally {
          span.end();
        }
      },
    );
  }

  private async concernsUs(event: EventEnvelope): Promise<boolean> {
    const { prefilter } = this.options;
    if (!prefilter) return true;
    return prefilter.concerns(event).catch((error: unknown) => {
      // An outage is reported by the normal path, which waits it out.
      if (!isDatabaseUnavailable(error)) this.logger.warn(`Prefilter failed for ${event.type} ${event.id}; handling it: ${describe(error)}`);
      return true;
    });
  }

  /** Keeps why a delivery failed, for the dead-letter tools; a failure to record it is only logged. */
  private async recordFailure(messageId: string, type: string, error: string): Promise<void> {
    const { dataSource, schema, consumer } = this.options;
    await recordConsumerFailure(dataSource, schema, consumer, { messageId, type, error }).catch((failure) =>
      this.logger.warn(`Could not record the failure of ${type} ${messageId}: ${describe(failure)}`),
    );
  }

  /**
   * A database outage is nobody's fault and says nothing about the event: the event waits,
   * unacked, for as long as the outage lasts (shutdown ends the wait, and the broker then
   * hands it to another instance). Only real handler failures use up deliveries.
   */
  private async applyThroughOutages(event: EventEnvelope, deliveryCount: number, handler: MessageHandler): Promise<'APPLIED' | 'ALREADY_PROCESSED'> {
    for (let warned = false; ; ) {
      try {
        return await this.apply(event, deliveryCount, handler);
      } catch (error) {
        if (!isDatabaseUnavailable(error) || this.closing) throw error;
        if (!warned) this.logger.warn(`Database unavailable while handling ${event.type} ${event.id}; holding it`);
        warned = true;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  private async apply(event: EventEnvelope, deliveryCount: number, handler: MessageHandler): Promise<'APPLIED' | 'ALREADY_PROCESSED'> {
    const { dataSource, schema, consumer } = this.options;
    return dataSource.transaction(async (manager) => {
      if ((await recordInInbox(manager, schema, consumer, event)) === 'ALREADY_PROCESSED') {
        return 'ALREADY_PROCESSED';
      }
      const result = await handler(event, new EventContext([manager, event, deliveryCount]));
      await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
      return 'APPLIED';
    });
  }

  private spanAttributes(event: EventEnvelope, msg: ConsumeMessage) {
    return {
      [Attr.messagingSystem]: 'rabbitmq',
      [Attr.messagingOperationType]: 'process',
      [Attr.messagingDestination]: this.options.names.queue,
      [Attr.messagingRoutingKey]: routingKeyOf(msg),
      [Attr.messagingMessageId]: event.id,
      [Attr.messagingConsumerGroup]: this.options.consumer,
      [Attr.eventType]: event.type,
      [Attr.eventSubject]: event.subject,
    };
  }

  /**
   * Exponential pause (bounded) so whatever the handler waits for (an earlier event still on
   * its way, a dependency restarting) has time to arrive: with the default limit of 5
   * redeliveries a message keeps trying for about 15 s before it is dead-lettered.
   */
  private async pauseBeforeRetry(deliveryCount: number): Promise<void> {
    if (this.closing) return;
    const ms = Math.min(500 * 2 ** (deliveryCount - 1), this.options.maxRetryDelayMs ?? 10_000);
    await new Promise((resolve) => setTimeout(resolve, ms * (0.5 + Math.random() / 2)));
  }
}
