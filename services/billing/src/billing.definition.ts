import type { ServiceDefinition } from '@conveyor/platform';
import { Account } from './accounts/account.entity';
import { AccountsModule } from './accounts/accounts.module';
import { billingEnvSchema, type BillingConfig } from './billing.config';
import { CreditsModule } from './credits/credits.module';
import { GrantsModule } from './grants/grants.module';
import { LedgerEntry } from './ledger/ledger-entry.entity';
import { LedgerModule } from './ledger/ledger.module';
import { CreateMessaging1764230400000 } from './migrations/1764230400000-create-messaging';
import { CreateAccounts1764316800000 } from './migrations/1764316800000-create-accounts';
import { CreatePayments1764403200000 } from './migrations/1764403200000-create-payments';
import { CloseAccounts1764576180000 } from './migrations/1764576180000-close-accounts';
import { Plan } from './plans/plan.entity';
import { PlansModule } from './plans/plans.module';
import { Payment } from './top-ups/payment.entity';
import { TopUpsModule } from './top-ups/top-ups.module';
import { CreateConsumerFailures1764700000000 } from './migrations/1764700000000-create-consumer-failures';

/** Owns the `billing` schema: accounts, plans, the append-only credit ledger and payments. */
export const billingService: ServiceDefinition<BillingConfig> = {
  name: 'billing',
  schema: 'billing',
  envSchema: billingEnvSchema,
  entities: [Account, Plan, LedgerEntry, Payment],
  migrations: [
    CreateMessaging1764230400000,
    CreateAccounts1764316800000,
    CreatePayments1764403200000,
    CloseAccounts1764576180000,
    CreateConsumerFailures1764700000000,
  ],
  modules: (config) => [AccountsModule, PlansModule, GrantsModule, LedgerModule, CreditsModule, TopUpsModule.forConfig(config)],
};
