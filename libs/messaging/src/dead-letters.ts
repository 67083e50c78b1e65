import { connect, type ConfirmChannel, type GetMessage } from 'amqplib';
import type { TopologyNames } from './topology';

/** A message in a service's dead-letter queue, as an operator sees it. */
export interface DeadLetter {
  /** The event's id (the message id), or null for a message without one. */
  id: string | null;
  /** The event type it was published under (its routing key). */
  type: string;
  /**
   * Why it was dead-lettered: `rejected` (invalid, or no handler for it: dead-lettered at once)
   * or `delivery_limit` (its handler failed on every delivery).
   */
  reason: string;
  /** How many times it was delivered to the consumer before it was dead-lettered. */
  deliveries: number;
  /** When it was dead-lettered (first time), if the broker said. */
  deadLetteredAt: string | null;
  /** The message body's size in bytes. */
  bytes: number;
}

/**
 * A replayed message goes straight to the service's queue (not through the topic exchange, which
 * would hand it to every other consumer too), so its routing key would be the queue's name; the
 * original one travels in this header instead.
 */
export const REPLAYED_ROUTING_KEY_HEADER = 'x-conveyor-routing-key';

/** Which dead letters an operation applies to: one event id, or all of them. */
export type DeadLetterSelection = { id: string } | 'all';

const MAX_SCAN = 10_000;

/**
 * Operator access to one service's dead-letter queue: list what is there, send messages back
 * to the service's queue (after the cause is fixed), or discard them. Each call opens its own
 * short connection and takes the messages it looks at off the queue (unacknowledged) for the
 * length of the call; the ones it does not act on are put back.
 *
 * Replay is at-least-once: a message is acknowledged in the dead-letter queue only after the
 * broker confirmed its copy in the service's queue. The copy keeps the original body and
 * properties (message id, type, headers), so the consumer's inbox still recognises an event it
 * already applied.
 */
export class DeadLetterQueue {
  constructor(
    private readonly url: string,
    private readonly names: TopologyNames,
    /** The service queue's delivery limit (AMQP_DELIVERY_LIMIT). */
    private readonly deliveryLimit: number,
  ) {}

  async list(limit = 100): Promise<DeadLetter[]> {
    return this.withMessages(limit, async (_channel, messages) => messages.map((message) => this.describe(message)));
  }

  /** Moves the selected messages back to the service's queue; resolves with how many. */
  async replay(selection: DeadLetterSelection): Promise<number> {
    return this.withMessages(MAX_SCAN, async (channel, messages) => {
      const chosen = messages.filter((message) => selected(message, selection));
      for (const message of chosen) {
        const headers = { ...withoutDeathHeaders(message), [REPLAYED_ROUTING_KEY_HEADER]: originalRoutingKey(message) };
        channel.sendToQueue(this.names.queue, message.content, { ...message.properties, headers });
      }
      await channel.waitForConfirms();
      for (const message of chosen) channel.ack(message);
      return chosen.length;
    });
  }

  /** Deletes the selected messages for good; resolves with how many. */
  async discard(selection: DeadLetterSelection): Promise<number> {
    return this.withMessages(MAX_SCAN, async (channel, messages) => {
      const chosen = messages.filter((message) => selected(message, selection));
      for (const message of chosen) channel.ack(message);
      return chosen.length;
    });
  }

  private describe(message: GetMessage): DeadLetter {
    const headers = message.properties.headers ?? {};
    const first = firstDeath(message);
    const reason = String(headers['x-first-death-reason'] ?? first?.reason ?? 'unknown');
    return {
      id: typeof message.properties.messageId === 'string' ? message.properties.messageId : null,
      type: originalRoutingKey(message),
      reason,
      // Invalid and unhandled messages are rejected on their first delivery.
      deliveries: reason === 'delivery_limit' ? this.deliveryLimit + 1 : 1,
      deadLetteredAt: deathTime(first?.time),
      bytes: message.content.length,
    };
  }

  /**
   * Takes up to `limit` messages off the dead-letter queue, runs `act` on them, and puts back
   * every message `act` did not acknowledge, when it is done or failed.
   */
  private async withMessages<T>(limit: number, act: (channel: ConfirmChannel, messages: GetMessage[]) => Promise<T>): Promise<T> {
    const connection = await connect(this.url);
    try {
      const channel = await connection.createConfirmChannel();
      const messages: GetMessage[] = [];
      while (messages.length < limit) {
        const message = await channel.get(this.names.deadLetterQueue, { noAck: false });
        if (!message) break;
        messages.push(message);
      }
      try {
        return await act(channel, messages);
      } finally {
        // Closing the channel returns every message it did not acknowledge to the queue.
        await channel.close().catch(() => undefined);
      }
    } finally {
      await connection.close().catch(() => undefined);
    }
  }
}

interface DeathRecord {
  reason?: string;
  time?: { value?: number } | Date | number;
  'routing-keys'?: string[];
}

/** The broker's record of the first time the message was dead-lettered (x-death lists the latest first). */
function firstDeath(message: GetMessage): DeathRecord | undefined {
  const deaths = (message.properties.headers?.['x-death'] as DeathRecord[] | undefined) ?? [];
  return deaths[deaths.length - 1];
}

/**
 * The event type the message was published under. Dead-lettering replaces the routing key with
 * the dead-letter key; the original one is in the death record (or, after a replay, in our header).
 */
function originalRoutingKey(message: GetMessage): string {
  const replayed = message.properties.headers?.[REPLAYED_ROUTING_KEY_HEADER];
  if (typeof replayed === 'string') return replayed;
  return firstDeath(message)?.['routing-keys']?.[0] ?? message.fields.routingKey;
}

/** The key a delivered message was first published under, also after a replay. */
export function routingKeyOf(message: { fields: { routingKey: string }; properties: { headers?: Record<string, unknown> } }): string {
  const replayed = message.properties.headers?.[REPLAYED_ROUTING_KEY_HEADER];
  return typeof replayed === 'string' ? replayed : message.fields.routingKey;
}

function deathTime(time: DeathRecord['time']): string | null {
  if (time instanceof Date) return time.toISOString();
  const seconds = typeof time === 'number' ? time : time?.value;
  return typeof seconds === 'number' ? new Date(seconds * 1000).toISOString() : null;
}

function selected(message: GetMessage, selection: DeadLetterSelection): boolean {
  return selection === 'all' || message.properties.messageId === selection.id;
}

/** A replayed message starts afresh: the broker's death and delivery records would follow it otherwise. */
function withoutDeathHeaders(message: GetMessage): Record<string, unknown> {
  const headers = { ...(message.properties.headers ?? {}) };
  for (const key of Object.keys(headers)) {
    if (key.startsWith('x-death') || key.startsWith('x-first-death') || key.startsWith('x-last-death') || key === 'x-delivery-count') {
      delete headers[key];
    }
  }
  return headers;
}
