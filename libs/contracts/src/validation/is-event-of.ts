import type { EventEnvelope } from '../envelope';
import type { EventContract, EventOf } from '../event-contract';

/**
 * Narrows a parsed event to one contract. Sound only for events returned by `parseEvent`,
 * which has already checked `data` against the contract of the event's type.
 */
export function isEventOf<C extends EventContract>(contract: C, event: EventEnvelope): event is EventOf<C> {
  return event.type === contract.type;
}
