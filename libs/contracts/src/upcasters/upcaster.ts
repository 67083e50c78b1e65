import type { EventEnvelope } from '../envelope';

/** Turns a message in an old shape into an envelope of a current contract. */
export interface Upcaster {
  /** Name of the old shape, reported as `upcastFrom` by `parseEvent`. */
  readonly legacyType: string;
  /** Routing key the old shape is published with; consumers must bind it too. */
  readonly routingKey: string;
  /** Contract type the old shape becomes. */
  readonly targetType: string;
  matches(raw: unknown, routingKey?: string): boolean;
  /** Throws `InvalidEventError` when the old message is malformed. */
  upcast(raw: unknown, routingKey?: string): EventEnvelope;
}
