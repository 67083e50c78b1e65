import { AppError } from '@conveyor/platform';

export class UnknownPlanError extends AppError {
  constructor(plan: string) {
    super('BILLING.UNKNOWN_PLAN', 'invalid', `There is no plan named "${plan}".`);
  }
}
