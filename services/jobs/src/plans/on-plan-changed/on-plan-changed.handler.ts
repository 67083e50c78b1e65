import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { AccountPlanChangedV1, type EventOf } from '@conveyor/contracts';
import type { EventContext } from '@conveyor/messaging';
import { OutboxWriter } from '@conveyor/outbox';
import { announceWork } from '../../jobs/run-jobs/work-tokens';

/**
 * Keeps this service's copy of a client's plan: the one with the highest revision wins, so an
 * older change that arrives late never overwrites a newer one. A raised limit may let queued
 * jobs start at once, so a "work available" token for the client is written when the plan changed.
 */
@Controller()
export class OnPlanChangedHandler {
  constructor(private readonly outbox: OutboxWriter) {}

  @EventPattern(AccountPlanChangedV1.type)
  async handle(@Payload() event: EventOf<typeof AccountPlanChangedV1>, @Ctx() context: EventContext): Promise<void> {
    const { userId, plan, maxConcurrentJobs, revision } = event.data;
    const changed: unknown[] = await context.manager.query(
      `INSERT INTO jobs.plans (user_id, plan, max_concurrent_jobs, revision) VALUES ($1, $2, $3, $4)
       ON CONFLICT (user_id) DO UPDATE
       SET plan = excluded.plan, max_concurrent_jobs = excluded.max_concurrent_jobs,
           revision = excluded.revision, updated_at = now()
       WHERE plans.revision < excluded.revision
       RETURNING user_id`,
      [userId, plan, maxConcurrentJobs, revision],
    );
    if (changed.length > 0) await announceWork(this.outbox, context.manager, { userId, jobId: null, cause: 'plan_changed' });
  }
}
