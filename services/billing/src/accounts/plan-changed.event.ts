import { AccountPlanChangedV1, createEvent } from '@conveyor/contracts';
import { BILLING_SOURCE } from '../billing-source';
import type { Plan } from '../plans/plan.entity';

/** `billing.account.plan_changed.v1` for an account that now has `plan` at `revision`. */
export const planChangedEvent = (userId: string, plan: Plan, revision: number, changedAt: Date) =>
  createEvent(AccountPlanChangedV1, {
    source: BILLING_SOURCE,
    subject: userId,
    data: {
      userId,
      plan: plan.name,
      maxConcurrentJobs: plan.maxConcurrentJobs,
      revision,
      changedAt: changedAt.toISOString(),
    },
  });
