import { Injectable } from '@nestjs/common';
import { OutboxWriter } from '@conveyor/outbox';
import { DataSource } from 'typeorm';
import { Account } from '../../accounts/account.entity';
import { lockOpenAccount } from '../../accounts/lock-account';
import { planChangedEvent } from '../../accounts/plan-changed.event';
import { Plan } from '../plan.entity';
import { UnknownPlanError } from '../plans.errors';
import type { ChangePlanRequest } from './change-plan.request';

export interface PlanOfAccount {
  userId: string;
  plan: string;
  maxConcurrentJobs: number;
  revision: number;
}

/**
 * Moves an account to another plan and tells the jobs service, which enforces the plan's
 * concurrency. Putting the plan the account already has changes nothing and emits nothing,
 * so the route is idempotent. Credits are not touched: starter credits come only with a new
 * account; admins grant more separately.
 */
@Injectable()
export class ChangePlanHandler {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
  ) {}

  execute(userId: string, { plan: name }: ChangePlanRequest): Promise<PlanOfAccount> {
    return this.dataSource.transaction(async (manager) => {
      const plan = await manager.findOneBy(Plan, { name });
      if (!plan) throw new UnknownPlanError(name);
      const account = await lockOpenAccount(manager, userId);
      if (account.plan === plan.name) return view(account, plan);

      const revision = account.planRevision + 1;
      const changedAt = new Date();
      await manager.update(Account, { userId }, { plan: plan.name, planRevision: revision, updatedAt: changedAt });
      await this.outbox.add(planChangedEvent(userId, plan, revision, changedAt), manager);
      return view({ ...account, planRevision: revision }, plan);
    });
  }
}

const view = (account: Pick<Account, 'userId' | 'planRevision'>, plan: Plan): PlanOfAccount => ({
  userId: account.userId,
  plan: plan.name,
  maxConcurrentJobs: plan.maxConcurrentJobs,
  revision: account.planRevision,
});
