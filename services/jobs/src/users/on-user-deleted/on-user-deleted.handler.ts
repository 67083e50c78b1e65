import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { createEvent, JobCanceledV1, UserDeletedV1, type EventOf } from '@conveyor/contracts';
import type { EventContext } from '@conveyor/messaging';
import { OutboxWriter } from '@conveyor/outbox';
import { queryRows } from '@conveyor/persistence';
import { Job } from '../../jobs/job.entity';
import { jobFacts, JOBS_SOURCE } from '../../jobs/job-facts';

/**
 * A deleted user's jobs stop where they can: pending and queued jobs are canceled as a client's
 * cancel would (`jobs.job.canceled.v1`, so billing releases their holds); a job already running
 * finishes and is settled as usual. The user's keys in the projection are revoked at once
 * (auth's per-key revokes follow) and the user is remembered, so their still-valid access
 * tokens are refused too. Rows are locked before the change, so a worker cannot claim a job
 * between the read and the cancel; a second delivery finds nothing left to cancel.
 */
@Controller()
export class OnUserDeletedHandler {
  constructor(private readonly outbox: OutboxWriter) {}

  @EventPattern(UserDeletedV1.type)
  async handle(@Payload() event: EventOf<typeof UserDeletedV1>, @Ctx() { manager }: EventContext): Promise<void> {
    const { userId, deletedAt } = event.data;
    await manager.query(`INSERT INTO jobs.deleted_users (user_id, deleted_at) VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING`, [
      userId,
      deletedAt,
    ]);
    await manager.query(`UPDATE jobs.api_keys SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL`, [userId, deletedAt]);

    const canceled = await queryRows<{ id: string; canceled_from: 'pending' | 'queued' }>(
      manager,
      `WITH doomed AS (
         SELECT id, status FROM jobs.jobs WHERE user_id = $1 AND status IN ('pending', 'queued') ORDER BY id FOR UPDATE)
       UPDATE jobs.jobs j
          SET status = 'canceled', version = j.version + 1, finished_at = now(), updated_at = now()
         FROM doomed WHERE j.id = doomed.id
       RETURNING j.id, doomed.status AS canceled_from`,
      [userId],
    );
    for (const { id, canceled_from: canceledFrom } of canceled) {
      const job = await manager.findOneByOrFail(Job, { id });
      await this.outbox.add(
        createEvent(JobCanceledV1, {
          source: JOBS_SOURCE,
          subject: id,
          data: { ...jobFacts(job), status: 'canceled', canceledFrom, canceledAt: (job.finishedAt ?? new Date()).toISOString() },
        }),
        manager,
      );
    }
  }
}
