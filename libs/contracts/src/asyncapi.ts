import { catalogue } from './catalogue';
import { envelopeSchemaFor } from './envelope';
import type { EventContract } from './event-contract';
import { EVENTS_EXCHANGE } from './exchange';
import { sortKeysDeep } from './tooling/canonical-json';
import { nameBasedUuid } from './upcasters/name-based-uuid';
import { createEvent } from './validation/create-event';

const AMQP_BINDING_VERSION = '0.3.0';

// Examples use fixed values so that regenerating the document yields the same bytes.
const EXAMPLE_TIME = '2025-01-15T09:30:00.000Z';
const EXAMPLE_TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

const INFO = {
  title: 'Conveyor events',
  version: '1.0.0',
  description:
    'Every event Conveyor services publish. Each message is a CloudEvents 1.0 envelope in ' +
    'structured mode; `id` is the deduplication key and `type` is both the contract name and ' +
    'the AMQP routing key. A breaking change is published as a new `.vN` type beside the old one.',
};

const SERVERS = {
  rabbitmq: {
    host: '{host}',
    protocol: 'amqp',
    protocolVersion: '0.9.1',
    title: 'RabbitMQ',
    description: `Events are published to the durable topic exchange \`${EVENTS_EXCHANGE}\`.`,
    variables: { host: { default: 'localhost:5672', description: 'Broker host and port.' } },
  },
};

const EXCHANGE_BINDING = {
  amqp: {
    is: 'routingKey',
    exchange: { name: EVENTS_EXCHANGE, type: 'topic', durable: true, autoDelete: false, vhost: '/' },
    bindingVersion: AMQP_BINDING_VERSION,
  },
};

/**
 * The AsyncAPI 3.0 description of the catalogue: one channel per event type and one `send`
 * operation by its producer. An internal contract (consumed only by its producer) is marked
 * `x-internal` and also gets the producer's `receive` operation. Keys are sorted and nothing
 * depends on the clock, so the committed `docs/asyncapi.json` can be compared byte for byte.
 */
export function buildAsyncApiDocument(): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  for (const contract of [...catalogue].sort((a, b) => a.type.localeCompare(b.type))) {
    channels[contract.type] = channelFor(contract);
    operations[`${contract.producer}.send.${contract.type}`] = operationFor(contract);
    if (contract.internal) operations[`${contract.producer}.receive.${contract.type}`] = internalReceiveFor(contract);
  }
  return sortKeysDeep({
    asyncapi: '3.0.0',
    info: INFO,
    defaultContentType: 'application/json',
    servers: SERVERS,
    channels,
    operations,
  }) as Record<string, unknown>;
}

function channelFor(contract: EventContract) {
  return {
    address: contract.type,
    title: contract.type,
    description: `Routing key \`${contract.type}\` on \`${EVENTS_EXCHANGE}\`. ${contract.description}`,
    messages: { [contract.type]: messageFor(contract) },
    bindings: EXCHANGE_BINDING,
    ...(contract.internal && { 'x-internal': true }),
  };
}

/** Only the producer itself consumes an internal contract; no other service may bind to it. */
function internalReceiveFor(contract: EventContract) {
  return {
    action: 'receive',
    title: `${contract.producer} consumes its own ${contract.type}`,
    description: `Internal to ${contract.producer}: no other service consumes this message.`,
    channel: { $ref: `#/channels/${contract.type}` },
    messages: [{ $ref: `#/channels/${contract.type}/messages/${contract.type}` }],
  };
}

function messageFor(contract: EventContract) {
  return {
    name: contract.type,
    title: contract.type,
    description: contract.description,
    contentType: 'application/json',
    payload: envelopeSchemaFor(contract.schema),
    examples: [{ name: 'example', payload: exampleEnvelope(contract) }],
    tags: [{ name: contract.producer }],
    bindings: { amqp: { messageType: contract.type, bindingVersion: AMQP_BINDING_VERSION } },
  };
}

function operationFor(contract: EventContract) {
  return {
    action: 'send',
    title: `${contract.producer} publishes ${contract.type}`,
    'x-producer': contract.producer,
    channel: { $ref: `#/channels/${contract.type}` },
    messages: [{ $ref: `#/channels/${contract.type}/messages/${contract.type}` }],
    // Persistent delivery: events are facts other services rely on, they must survive a restart.
    bindings: { amqp: { deliveryMode: 2, bindingVersion: AMQP_BINDING_VERSION } },
  };
}

/** Built through `createEvent`, so an example that does not fit its contract fails generation. */
function exampleEnvelope(contract: EventContract) {
  return createEvent(contract, {
    id: nameBasedUuid(`example:${contract.type}`),
    source: `/conveyor/${contract.producer}`,
    subject: nameBasedUuid(`example-subject:${contract.type}`),
    time: EXAMPLE_TIME,
    traceparent: EXAMPLE_TRACEPARENT,
    data: contract.example,
  });
}
