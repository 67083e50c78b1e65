import { Logger } from '@nestjs/common';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { parseEvent, type EventContract, type EventOf } from '@conveyor/contracts';
import { Attr, restoreTraceContext, tracer } from '@conveyor/tracing';
import type { ChannelWrapper } from 'amqp-connection-manager';
import type { Channel, ConsumeMessage } from 'amqplib';
import type { AmqpConnection } from './amqp-connection';
import { routingKeyOf } from './dead-letters';
import { describe, parseJson, settle } from './consumed-message';
import { assertWorkQueue, type TopologyNames } from './topology';

/** What became of a message: used (ack) or handed back for another consumer (requeue). */
export type WorkOutcome = 'done' | 'handed_back';

export interface WorkQueueOptions<C extends EventContract> {
  connection: AmqpConnection;
  names: TopologyNames;
  /** The one internal message the queue carries; its type is the queue's only binding. */
  contract: C;
  /** Deliveries of one message before the broker drops it (see assertWorkQueue). */
  deliveryLimit: number;
  /** Pause before a message whose handler failed is handed back. */
  retryDelayMs?: number;
}

/**
 * A service's own work queue (`<service>.work`, quorum) for one internal message type, such
 * as the jobs workers' "work available" tokens. Unlike the events queue there is no inbox: the
 * message must be one whose repeated handling is harmless.
 *
 * - `declare()` only declares the queue, so messages published while no consumer runs wait in it;
 * - `consume()` also consumes, `prefetch` unacked messages at a time, acking each only after its
 *   handler resolved (`done`), or handing it back (`handed_back`, a nack with requeue) for another
 *   consumer; a handler that throws hands its message back after a pause, and the queue's
 *   delivery limit ends a message that keeps failing;
 * - `pause()`/`resume()` cancel and renew the subscription, so a consumer with no room for work
 *   leaves the messages to the others instead of holding them;
 * - the subscription is renewed after every reconnect (amqp-connection-manager re-runs setup).
 */
export class WorkQueue<C extends EventContract> {
  private readonly logger = new Logger(WorkQueue.name);
  private channel?: ChannelWrapper;
  private raw?: Channel;
  private consumer?: { channel: Channel; tag: string };
  private handler?: (event: EventOf<C>) => Promise<WorkOutcome>;
  private prefetch = 1;
  private paused = false;
  private closing = false;
  private closed?: Promise<void>;
  /** Subscribes and cancels one after the other, in the order they were asked for. */
  private flow: Promise<void> = Promise.resolve();
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly options: WorkQueueOptions<C>) {}

  get queue(): string {
    return this.options.names.workQueue;
  }

  declare(): void {
    this.open();
  }

  consume(prefetch: number, handler: (event: EventOf<C>) => Promise<WorkOutcome>): void {
    this.prefetch = prefetch;
    this.handler = handler;
    this.open();
  }

  /** Stops receiving (messages already received are still settled); idempotent. */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.serialise(() => this.unsubscribe());
  }

  resume(): void {
    if (!this.paused || this.closing) return;
    this.paused = false;
    this.serialise(() => this.subscribe());
  }

  /** Cancels the subscription, waits for the handlers in flight to settle, closes the channel; idempotent. */
  close(): Promise<void> {
    this.closed ??= this.shutDown();
    return this.closed;
  }

  private async shutDown(): Promise<void> {
    this.closing = true;
    await this.serialise(() => this.unsubscribe());
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    await this.channel?.close();
  }

  private open(): void {
    if (this.channel) return;
    const { connection, names, contract, deliveryLimit } = this.options;
    this.channel = connection.createChannel({
      name: 'work-queue',
      setup: async (channel: Channel) => {
        await assertWorkQueue(channel, names, contract.type, deliveryLimit);
        if (!this.handler) return;
        await channel.prefetch(this.prefetch);
        // A new channel after a reconnect: the old subscription died with the old channel.
        this.raw = channel;
        this.consumer = undefined;
        await this.serialise(() => this.subscribe());
      },
    });
  }

  private serialise(step: () => Promise<void>): Promise<void> {
    this.flow = this.flow.then(step).catch((error) => this.logger.warn(`Work queue ${this.queue}: ${describe(error)}`));
    return this.flow;
  }

  private async subscribe(): Promise<void> {
    const channel = this.raw;
    if (!channel || this.consumer || this.paused || this.closing) return;
    const { consumerTag } = await channel.consume(this.queue, (msg) => msg && this.track(this.onMessage(channel, msg)));
    this.consumer = { channel, tag: consumerTag };
  }

  private async unsubscribe(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.channel.cancel(consumer.tag).catch(() => undefined);
  }

  private track(work: Promise<unknown>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private async onMessage(channel: Channel, msg: ConsumeMessage): Promise<void> {
    const parsed = parseEvent(parseJson(msg.content), routingKeyOf(msg));
    const handler = this.handler;
    if (!parsed.ok || parsed.event.type !== this.options.contract.type || !handler) {
      this.logger.warn(`Dropping a message on ${this.queue} that is not ${this.options.contract.type}: ${parsed.ok ? parsed.event.type : parsed.reason}`);
      settle(() => channel.nack(msg, false, false));
      return;
    }
    const event = parsed.event as EventOf<C>;
    const parent = restoreTraceContext({ traceparent: event.traceparent, tracestate: event.tracestate });
    const attributes = {
      [Attr.messagingSystem]: 'rabbitmq',
      [Attr.messagingOperationType]: 'process',
      [Attr.messagingDestination]: this.queue,
      [Attr.messagingRoutingKey]: routingKeyOf(msg),
      [Attr.messagingMessageId]: event.id,
      [Attr.eventType]: event.type,
      [Attr.eventSubject]: event.subject,
    };
    await tracer().startActiveSpan(`process ${this.queue}`, { kind: SpanKind.CONSUMER, attributes }, parent, async (span) => {
      try {
        const outcome = await handler(event);
        settle(() => (outcome === 'done' ? channel.ack(msg) : channel.nack(msg, false, true)));
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR });
        this.logger.warn(`Handling ${event.type} ${event.id} failed; handing it back: ${describe(error)}`);
        if (!this.closing) await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs ?? 1_000));
        settle(() => channel.nack(msg, false, true));
      } finally {
        span.end();
      }
    });
  }
}
