import { randomUUID } from 'node:crypto';
import type { EventContract, EventData, EventOf } from '../event-contract';
import { dataIssues, envelopeIssues } from './contract-validator';
import { InvalidEventError } from './invalid-event.error';

export interface CreateEventInput<TData> {
  /** URI reference of the producer, e.g. `/conveyor/auth`. */
  source: string;
  /** Id of the aggregate the event is about. */
  subject: string;
  data: TData;
  /** Defaults to a random UUID; pass one to make a retried write produce the same event. */
  id?: string;
  /** Defaults to now; pass the injected clock's time to keep tests deterministic. */
  time?: string;
  traceparent?: string;
  tracestate?: string;
}

/**
 * Wraps `data` in an envelope for `contract` and validates it, so an event that does not fit
 * its contract fails in the producer's transaction instead of in every consumer.
 */
export function createEvent<C extends EventContract>(
  contract: C,
  input: CreateEventInput<EventData<C>>,
): EventOf<C> {
  const event: EventOf<C> = {
    specversion: '1.0',
    id: input.id ?? randomUUID(),
    source: input.source,
    type: contract.type,
    time: input.time ?? new Date().toISOString(),
    subject: input.subject,
    datacontenttype: 'application/json',
    data: input.data,
    ...(input.traceparent === undefined ? {} : { traceparent: input.traceparent }),
    ...(input.tracestate === undefined ? {} : { tracestate: input.tracestate }),
  };
  const issues = [...envelopeIssues(event), ...dataIssues(contract, event.data)];
  if (issues.length > 0) throw new InvalidEventError(contract.type, issues);
  return event;
}
