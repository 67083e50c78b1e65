import { InvalidEventError, parseEvent, type EventEnvelope } from '@conveyor/contracts';
import { captureTraceContext } from '@conveyor/tracing';
import type { EntityManager } from 'typeorm';
import { sqlIdentifier } from '@conveyor/persistence';

/** Adds events to the service's outbox inside the caller's own transaction. */
export class OutboxWriter {
  constructor(private readonly schema: string) {
    sqlIdentifier(schema);
  }

  /**
   * Writes `event` with `manager`, which must belong to an open transaction: the event then
   * exist exactly when the writes that caused them commit. The active trace context is stored
   * with the row so the event's consumers join the caller's trace.
   */
  async add(event: EventEnvelope, manager: EntityManager): Promise<void> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('OutboxWriter.add needs the EntityManager of an open transaction');
    }
    // The same check consumers apply: nothing leaves this service that they would refuse.
    const parsed = parseEvent(event);
    if (!parsed.ok) throw new InvalidEventError(String(event.type), [parsed.reason]);
    await manager.query(
      `INSERT INTO "${this.schema}"."outbox" (event_id, event_type, envelope, trace_context) VALUES ($1, $2, $3, $4)`,
      [event.id, event.type, JSON.stringify(event), JSON.stringify(captureTraceContext())],
    );
  }
}
