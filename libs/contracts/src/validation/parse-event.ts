import { findContract } from '../catalogue';
import type { EventEnvelope } from '../envelope';
import type { Upcaster } from '../upcasters/upcaster';
import { upcasters } from '../upcasters/upcasters';
import { dataIssues, envelopeIssues } from './contract-validator';
import { InvalidEventError } from './invalid-event.error';
import { isRecord } from './is-record';

/**
 * A rejected message is an expected outcome (it goes to the dead-letter queue), so it is a
 * value with a reason rather than an exception.
 */
export type ParsedEvent =
  | { ok: true; event: EventEnvelope; upcastFrom?: string }
  | { ok: false; reason: string };

/**
 * Validates a decoded message body at a consumer's boundary: the envelope, then the `data`
 * against the contract of its type. A body that is not an envelope is first offered to the
 * upcasters, which recognise legacy shapes by `routingKey`.
 */
export function parseEvent(raw: unknown, routingKey?: string): ParsedEvent {
  if (!isRecord(raw)) return rejected('event is not a JSON object');

  const upcaster = 'specversion' in raw ? undefined : upcasters.find((u) => u.matches(raw, routingKey));
  const candidate = upcaster ? upcastOrReason(upcaster, raw, routingKey) : raw;
  if (typeof candidate === 'string') return rejected(candidate);

  const envelopeProblems = envelopeIssues(candidate);
  if (envelopeProblems.length > 0) return rejected(`invalid envelope: ${envelopeProblems.join('; ')}`);
  const event = candidate as EventEnvelope;

  const contract = findContract(event.type);
  if (!contract) return rejected(`unknown event type "${event.type}"`);

  const dataProblems = dataIssues(contract, event.data);
  if (dataProblems.length > 0) return rejected(`invalid ${event.type} data: ${dataProblems.join('; ')}`);

  return upcaster ? { ok: true, event, upcastFrom: upcaster.legacyType } : { ok: true, event };
}

function upcastOrReason(upcaster: Upcaster, raw: unknown, routingKey?: string): EventEnvelope | string {
  try {
    return upcaster.upcast(raw, routingKey);
  } catch (error) {
    if (error instanceof InvalidEventError) {
      return `cannot upcast legacy ${upcaster.legacyType} message: ${error.issues.join('; ')}`;
    }
    throw error;
  }
}

function rejected(reason: string): ParsedEvent {
  return { ok: false, reason };
}
