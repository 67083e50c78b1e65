import { Type } from '@sinclair/typebox';
import { defineEvent } from '../event-contract';
import { Timestamp, Uuid } from '../schema-types';

export const AccountPlanChangedV1 = defineEvent({
  type: 'billing.account.plan_changed.v1',
  producer: 'billing',
  description:
    'Emitted when an account gets a plan: when it is opened (after `auth.user.registered.v1`) and whenever an ' +
    'admin changes it. `revision` grows with every change, so a consumer keeps the highest it has seen.',
  schema: Type.Object(
    {
      userId: Uuid('Owner of the account.'),
      plan: Type.String({ pattern: '^[a-z][a-z0-9_-]{0,31}$', description: 'Plan name, e.g. `basic` or `pro`.' }),
      maxConcurrentJobs: Type.Integer({ minimum: 1, maximum: 1000, description: 'Jobs of this client that may run at once.' }),
      revision: Type.Integer({ minimum: 1, description: 'Increases by one with each plan change of this account.' }),
      changedAt: Timestamp('When the plan took effect.'),
    },
    { additionalProperties: false },
  ),
  example: {
    userId: '0b7e4d3a-6c1f-4a8e-9d52-3f6a1c2b9e70',
    plan: 'basic',
    maxConcurrentJobs: 1,
    revision: 1,
    changedAt: '2025-01-15T09:30:00.100Z',
  },
});
