import { buildAsyncApiDocument, catalogue } from '@conveyor/contracts';

/**
 * The part of the event catalogue's AsyncAPI document that concerns one service: the channels
 * of the events it publishes (it is their contract's producer), with their `send` operations,
 * and of the events it consumes (it has a handler for them), with a `receive` operation each.
 */
export function serviceAsyncApiDocument(service: string, consumed: string[]): Record<string, unknown> {
  const full = buildAsyncApiDocument() as {
    info: Record<string, unknown>;
    channels: Record<string, unknown>;
    operations: Record<string, unknown>;
  };
  const published = catalogue.filter((contract) => contract.producer === service).map((contract) => contract.type);
  const known = new Set(Object.keys(full.channels));
  const received = [...new Set(consumed)].filter((type) => known.has(type)).sort();
  const types = new Set([...published, ...received]);
  const operations: Record<string, unknown> = Object.fromEntries(
    // Its sends, and its own receive of an internal message (which only it consumes).
    Object.entries(full.operations).filter(([id]) =>
      published.some((type) => id === `${service}.send.${type}` || id === `${service}.receive.${type}`),
    ),
  );
  for (const type of received) {
    operations[`${service}.receive.${type}`] = {
      action: 'receive',
      title: `${service} consumes ${type}`,
      description: `From the queue \`${service}.events\`, bound to \`${type}\`; idempotent through the inbox.`,
      channel: { $ref: `#/channels/${type}` },
      messages: [{ $ref: `#/channels/${type}/messages/${type}` }],
    };
  }
  return {
    ...full,
    info: {
      ...full.info,
      title: `Conveyor ${service} events`,
      description: `The events the ${service} service publishes and consumes. ${String(full.info['description'] ?? '')}`,
    },
    channels: Object.fromEntries(Object.entries(full.channels).filter(([type]) => types.has(type))),
    operations,
  };
}
