import type { Static, TSchema } from '@sinclair/typebox';
import type { EventEnvelope } from './envelope';
import { InvalidEventTypeError } from './validation/invalid-event-type.error';

/** `<context>.<entity>.<verb>.v<N>`: the routing key, so it doubles as a binding pattern. */
const EVENT_TYPE_FORMAT = /^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.v[1-9][0-9]*$/;

export interface EventContract<TType extends string = string, TData extends TSchema = TSchema> {
  readonly type: TType;
  /** Name of the service that publishes the event. */
  readonly producer: string;
  /** When the event is emitted, written for the people who consume it. */
  readonly description: string;
  /**
   * Internal to its producer: only the producing service consumes it (e.g. a wake-up for its
   * own workers). It is never offered to other services or to webhook subscriptions.
   */
  readonly internal?: boolean;
  readonly schema: TData;
  readonly example: Static<TData>;
}

export type EventData<C extends EventContract> = Static<C['schema']>;

export type EventOf<C extends EventContract> = EventEnvelope<C['type'], EventData<C>>;

export interface EventDefinition<TType extends string, TData extends TSchema> {
  type: TType;
  producer: string;
  description: string;
  internal?: boolean;
  schema: TData;
  example: Static<TData>;
}

/**
 * Declares one version of one event. The contract is deeply frozen because its schema is a
 * published promise: nothing may reshape it at runtime.
 */
export function defineEvent<const TType extends string, TData extends TSchema>(
  definition: EventDefinition<TType, TData>,
): EventContract<TType, TData> {
  if (!EVENT_TYPE_FORMAT.test(definition.type)) {
    throw new InvalidEventTypeError(definition.type);
  }
  const { type, producer, description, internal, schema, example } = definition;
  return deepFreeze({ type, producer, description, ...(internal && { internal }), schema, example });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
