import { AccountPlanChangedV1 } from './billing/account-plan-changed.v1';
import { ApiKeyCreatedV1 } from './auth/api-key-created.v1';
import { ApiKeyRevokedV1 } from './auth/api-key-revoked.v1';
import { CreditsCapturedV1 } from './billing/credits-captured.v1';
import { CreditsRejectedV1 } from './billing/credits-rejected.v1';
import { CreditsReleasedV1 } from './billing/credits-released.v1';
import { CreditsReservedV1 } from './billing/credits-reserved.v1';
import { ApiKeyUsedV1 } from './jobs/api-key-used.v1';
import { JobCanceledV1 } from './jobs/job-canceled.v1';
import { JobFailedV1 } from './jobs/job-failed.v1';
import { JobRejectedV1 } from './jobs/job-rejected.v1';
import { JobStartedV1 } from './jobs/job-started.v1';
import { JobSubmittedV1 } from './jobs/job-submitted.v1';
import { JobSucceededV1 } from './jobs/job-succeeded.v1';
import { WorkBecameAvailableV1 } from './jobs/work-became-available.v1';
import { PaymentFailedV1 } from './billing/payment-failed.v1';
import { PaymentSucceededV1 } from './billing/payment-succeeded.v1';
import { UserRegisteredV1 } from './auth/user-registered.v1';
import { DeliveryExhaustedV1 } from './webhooks/delivery-exhausted.v1';
import { DeliverySucceededV1 } from './webhooks/delivery-succeeded.v1';
import { EndpointDisabledV1 } from './webhooks/endpoint-disabled.v1';
import { UserDisabledV1 } from './auth/user-disabled.v1';
import { UserEmailConfirmedV1 } from './auth/user-email-confirmed.v1';
import { UserDeletedV1 } from './users/user-deleted.v1';
import { UserUpdatedV1 } from './users/user-updated.v1';
import type { EventContract } from './event-contract';

/** Every published contract, every version. A version is never removed once published. */
export const catalogue: readonly EventContract[] = Object.freeze(
  [
    UserRegisteredV1,
    UserDisabledV1,
    UserEmailConfirmedV1,
    UserUpdatedV1,
    UserDeletedV1,
    ApiKeyCreatedV1,
    ApiKeyRevokedV1,
    ApiKeyUsedV1,
    JobSubmittedV1,
    JobStartedV1,
    JobSucceededV1,
    JobFailedV1,
    JobCanceledV1,
    JobRejectedV1,
    WorkBecameAvailableV1,
    CreditsReservedV1,
    CreditsRejectedV1,
    CreditsCapturedV1,
    CreditsReleasedV1,
    AccountPlanChangedV1,
    PaymentSucceededV1,
    PaymentFailedV1,
    DeliverySucceededV1,
    DeliveryExhaustedV1,
    EndpointDisabledV1,
  ].sort((a, b) => a.type.localeCompare(b.type)),
);

const byType = new Map<string, EventContract>();
for (const contract of catalogue) {
  // Two contracts with one type would make validation depend on import order.
  if (byType.has(contract.type)) throw new Error(`Duplicate event contract ${contract.type}`);
  byType.set(contract.type, contract);
}

export function findContract(type: string): EventContract | undefined {
  return byType.get(type);
}
