export { checkOutboundUrl } from './check-outbound-url';
export type { OutboundUrlCheck, OutboundUrlPolicy } from './check-outbound-url';
export { blockedAddressReason, isBlockedAddress } from './blocked-address';
export type { AddressPolicy } from './blocked-address';
export { guardedRequest, OutboundRequestError } from './guarded-request';
export type { GuardedRequestOptions, GuardedResponse, OutboundRequestErrorCode } from './guarded-request';
