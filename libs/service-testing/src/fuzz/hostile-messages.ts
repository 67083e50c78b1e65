import type { EventEnvelope } from '@conveyor/contracts';
import { TEST_AMQP_URL, waitFor } from '@conveyor/testing';
import { connect } from 'amqplib';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { FUZZ_SEED, reportFullRun } from './fuzz-runner';
import { deeplyNested, hostileValue, malformedJson } from './hostile-values';

/** A message as published: where it goes and its exact bytes. */
export interface HostileMessage {
  routingKey: string;
  /** Sent straight to the queue (a routing key no binding has) instead of through the exchange. */
  direct: boolean;
  content: Buffer;
  headers: Record<string, unknown>;
  kind: string;
}

const envelope = (type: string, data: unknown): Record<string, unknown> => ({
  specversion: '1.0',
  id: randomUUID(),
  source: '/conveyor/fuzz',
  type,
  time: new Date().toISOString(),
  subject: randomUUID(),
  datacontenttype: 'application/json',
  data,
});

/** Envelope attributes broken one at a time. */
const brokenAttributes: [string, unknown][] = [
  ['specversion', '0.3'],
  ['specversion', undefined],
  ['id', 'not-a-uuid'],
  ['id', 42],
  ['id', undefined],
  ['source', ''],
  ['time', 'yesterday'],
  ['subject', ''],
  ['datacontenttype', 'text/xml'],
  ['type', ''],
  ['type', ['a']],
];

/**
 * Messages every consumer must dead-letter at once: bytes that are not JSON, JSON that is not
 * an envelope, envelopes with a broken attribute, an unknown type, data that breaks the type's
 * contract, and oversized (2 MiB, twice the HTTP body limit) or deeply nested bodies. `types`
 * are the event types the service consumes (its queue's bindings); the messages are published
 * with those routing keys, so they reach the queue the way real events do.
 */
export function hostileMessage(types: readonly string[]): fc.Arbitrary<HostileMessage> {
  const json = (value: unknown) => Buffer.from(JSON.stringify(value));
  const kinds: fc.Arbitrary<Omit<HostileMessage, 'routingKey' | 'direct' | 'headers'>>[] = [
    malformedJson.filter((text) => !isJsonObject(text)).map((text) => ({ content: Buffer.from(text), kind: 'not a JSON object' })),
    fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ content: Buffer.from([0xff, ...bytes]), kind: 'binary' })),
    fc.tuple(fc.constantFrom(...types), fc.constantFrom(...brokenAttributes)).map(([type, [name, value]]) => ({
      content: json({ ...envelope(type, {}), [name]: value }),
      kind: `envelope with ${name} ${JSON.stringify(value)}`,
    })),
    fc.constantFrom('nope.thing.v1', 'auth.user.registered.v99', 'jobs.job.succeeded', '#', '*.*.*.v1').map((type) => ({
      content: json(envelope(type, {})),
      kind: `unknown type ${type}`,
    })),
    fc.tuple(fc.constantFrom(...types), hostileValue).map(([type, data]) => ({ content: json(envelope(type, data)), kind: `${type} with hostile data` })),
    fc.constantFrom(...types).map((type) => ({
      content: Buffer.from(JSON.stringify(envelope(type, {})).replace(/"data":\{\}/, `"data":${deeplyNested(50_000)}`)),
      kind: `${type} with data nested 50,000 deep`,
    })),
    fc.constantFrom(...types).map((type) => ({ content: json(envelope(type, { blob: 'x'.repeat(2 * 1024 * 1024) })), kind: `${type} of 2 MiB` })),
  ];
  return fc.record({
    routingKey: fc.constantFrom(...types),
    direct: fc.boolean(),
    headers: fc.constantFrom<Record<string, unknown>>({}, { 'x-delivery-count': 'abc' }, { traceparent: 'garbage' }, { 'x-conveyor-routing-key': 42 }),
    message: fc.oneof(...kinds),
  }).map(({ routingKey, direct, headers, message }) => ({ routingKey, direct, headers, ...message }));
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

export interface QueueUnderFuzz {
  names: { exchange: string; queue: string; deadLetterQueue: string };
  /** The event types the service consumes. */
  types: readonly string[];
  /** Publishes a valid event and resolves once the service applied it (a healthy consumer). */
  applies(): Promise<void>;
}

/**
 * Publishes `numRuns` hostile messages (seeded) and checks that every one of them reached the
 * dead-letter queue, that the queue is empty again, and that the consumer still applies a
 * valid event afterwards. Resolves with the number of messages sent.
 */
export async function fuzzQueue(target: QueueUnderFuzz, numRuns: number): Promise<number> {
  const started = performance.now();
  const messages = fc.sample(hostileMessage(target.types), { seed: FUZZ_SEED, numRuns });
  const connection = await connect(TEST_AMQP_URL);
  try {
    const channel = await connection.createConfirmChannel();
    const deadLettered = async () => (await channel.checkQueue(target.names.deadLetterQueue)).messageCount;
    const before = await deadLettered();
    for (const message of messages) {
      const options = { messageId: randomUUID(), contentType: 'application/json', headers: message.headers, persistent: true };
      if (message.direct) channel.sendToQueue(target.names.queue, message.content, options);
      else channel.publish(target.names.exchange, message.routingKey, message.content, options);
    }
    await channel.waitForConfirms();
    let seen = before;
    await waitFor(
      async () => {
        seen = await deadLettered();
        return seen === before + messages.length;
      },
      // 2 MiB messages among them take the broker a while in a full run.
      { description: `${messages.length} hostile messages in ${target.names.deadLetterQueue}`, timeoutMs: Math.max(30_000, messages.length * 400) },
    ).catch((error: Error) => {
      const kinds = [...new Set(messages.map((m) => m.kind))].join(', ');
      throw new Error(`${seen - before} of ${messages.length} dead-lettered (kinds: ${kinds}): ${error.message}`);
    });
    expect((await channel.checkQueue(target.names.queue)).messageCount).toBe(0);
    await target.applies();
    reportFullRun(`${messages.length} AMQP messages to ${target.names.queue} dead-lettered in ${Math.round(performance.now() - started)} ms`);
    return messages.length;
  } finally {
    await connection.close();
  }
}

/** Resolves once the service's inbox holds `event` (it was applied). */
export function inboxHolds(sql: (text: string, params?: unknown[]) => Promise<unknown[]>, schema: string, event: EventEnvelope): Promise<unknown> {
  return waitFor(async () => (await sql(`SELECT 1 FROM "${schema}".inbox WHERE event_id = $1`, [event.id])).length === 1, {
    description: `${event.type} ${event.id} to be applied`,
  });
}
