import { createEvent, WorkBecameAvailableV1, type EventData } from '@conveyor/contracts';
import type { OutboxWriter } from '@conveyor/outbox';
import type { EntityManager } from 'typeorm';
import { JOBS_SOURCE } from '../job-facts';

export type WorkCause = EventData<typeof WorkBecameAvailableV1>['cause'];

/**
 * Writes a "work available" token for the client into the outbox, in the caller's transaction,
 * so it exists exactly when the change that may let one of the client's jobs start has
 * committed. The relay publishes it to the work queue, and a worker that receives it runs one
 * claim round for the client (see JobWorker). The token only says "look at this client":
 * Postgres decides what may start, so a token that is late, repeated or redelivered is harmless.
 * Its subject is the client, not the job, so the job's own event history stays as it was.
 */
export function announceWork(
  outbox: OutboxWriter,
  manager: EntityManager,
  work: { userId: string; jobId: string | null; cause: WorkCause },
): Promise<void> {
  return outbox.add(createEvent(WorkBecameAvailableV1, { source: JOBS_SOURCE, subject: work.userId, data: work }), manager);
}
