export { EventEnvelopeSchema, envelopeSchemaFor, type EventEnvelope } from './envelope';
export {
  defineEvent,
  type EventContract,
  type EventData,
  type EventDefinition,
  type EventOf,
} from './event-contract';
export { EVENTS_EXCHANGE } from './exchange';
export { normaliseEmail } from './auth/email-address';
export { UserRegisteredV1 } from './auth/user-registered.v1';
export { catalogue, findContract } from './catalogue';
export { createEvent, type CreateEventInput } from './validation/create-event';
export { parseEvent, type ParsedEvent } from './validation/parse-event';
export { isEventOf } from './validation/is-event-of';
export { InvalidEventError } from './validation/invalid-event.error';
export { InvalidEventTypeError } from './validation/invalid-event-type.error';
export { type Upcaster } from './upcasters/upcaster';
export { upcasters, legacyRoutingKeysFor } from './upcasters/upcasters';
export { buildAsyncApiDocument } from './asyncapi';
