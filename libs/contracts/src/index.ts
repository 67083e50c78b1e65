export { EventEnvelopeSchema, envelopeSchemaFor, type EventEnvelope } from './envelope';
export {
  defineEvent,
  type EventContract,
  type EventData,
  type EventDefinition,
  type EventOf,
} from './event-contract';
export { EVENTS_EXCHANGE } from './exchange';
export { normaliseEmail } from './auth/email-address';
export { UserRegisteredV1 } from './auth/user-registered.v1';
export { ApiKeyCreatedV1 } from './auth/api-key-created.v1';
export { ApiKeyRevokedV1 } from './auth/api-key-revoked.v1';
export { UserDisabledV1 } from './auth/user-disabled.v1';
export { UserEmailConfirmedV1 } from './auth/user-email-confirmed.v1';
export { UserDeletedV1 } from './users/user-deleted.v1';
export { UserUpdatedV1 } from './users/user-updated.v1';
export { ApiKeyUsedV1 } from './jobs/api-key-used.v1';
export { JobSubmittedV1 } from './jobs/job-submitted.v1';
export { JobStartedV1 } from './jobs/job-started.v1';
export { JobSucceededV1 } from './jobs/job-succeeded.v1';
export { JobFailedV1 } from './jobs/job-failed.v1';
export { JobCanceledV1 } from './jobs/job-canceled.v1';
export { JobRejectedV1 } from './jobs/job-rejected.v1';
export { WorkBecameAvailableV1 } from './jobs/work-became-available.v1';
export { CreditsReservedV1 } from './billing/credits-reserved.v1';
export { CreditsRejectedV1 } from './billing/credits-rejected.v1';
export { CreditsCapturedV1 } from './billing/credits-captured.v1';
export { CreditsReleasedV1 } from './billing/credits-released.v1';
export { AccountPlanChangedV1 } from './billing/account-plan-changed.v1';
export { PaymentSucceededV1 } from './billing/payment-succeeded.v1';
export { PaymentFailedV1 } from './billing/payment-failed.v1';
export { DeliverySucceededV1 } from './webhooks/delivery-succeeded.v1';
export { DeliveryExhaustedV1 } from './webhooks/delivery-exhausted.v1';
export { EndpointDisabledV1 } from './webhooks/endpoint-disabled.v1';
export { catalogue, findContract } from './catalogue';
export { createEvent, type CreateEventInput } from './validation/create-event';
export { parseEvent, type ParsedEvent } from './validation/parse-event';
export { isEventOf } from './validation/is-event-of';
export { InvalidEventError } from './validation/invalid-event.error';
export { InvalidEventTypeError } from './validation/invalid-event-type.error';
export { type Upcaster } from './upcasters/upcaster';
export { upcasters, legacyRoutingKeysFor } from './upcasters/upcasters';
export { buildAsyncApiDocument } from './asyncapi';
export { isUuid } from './validation/string-formats';
