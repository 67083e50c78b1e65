import type { EventEnvelope } from '@conveyor/contracts';

/**
 * A service's quick answer, before any transaction, to "can this event change anything here?".
 * An event it turns down is acked at once: no transaction, no inbox row, no handler. Only for
 * events whose handler would then write nothing at all, so skipping one (or a redelivery of
 * it) is the same as handling it. A failing check counts as "yes": the event takes the normal
 * path, which knows how to wait out a database outage.
 *
 * It pays where a service consumes many events that usually concern nobody (webhook-delivery
 * hears of every job event; most clients subscribe to none but the job's outcome): one
 * statement instead of a transaction of five.
 */
export interface EventPrefilter {
  concerns(event: EventEnvelope): Promise<boolean>;
}
