import { AppError } from '@conveyor/platform';

/** At submission: the input names a vendor this service is not configured to call. */
export class UnknownVendorError extends AppError {
  constructor(vendor: string, knownVendors: readonly string[]) {
    super('JOBS.UNKNOWN_VENDOR', 'unprocessable', `There is no vendor ${JSON.stringify(vendor)}.`, { knownVendors });
  }
}

/** A callback to a vendor name that is not an `async` vendor of this service. */
export class VendorNotFoundError extends AppError {
  constructor() {
    super('JOBS.VENDOR_NOT_FOUND', 'not_found', 'No vendor with this name calls back.');
  }
}

/** The reason stays in our logs: telling the caller which part failed would help a forger. */
export class VendorSignatureInvalidError extends AppError {
  constructor() {
    super('JOBS.VENDOR_SIGNATURE_INVALID', 'unauthorized', 'The callback is not signed with the vendor secret, or its timestamp is too old.');
  }
}

export class VendorJobNotFoundError extends AppError {
  constructor() {
    super('JOBS.VENDOR_JOB_NOT_FOUND', 'not_found', 'No job of this vendor has this id.');
  }
}

export class VendorCallbackConflictError extends AppError {
  constructor() {
    super('JOBS.VENDOR_CALLBACK_CONFLICT', 'conflict', 'A different answer was already received for this job.');
  }
}

export class VendorCallbackTooLateError extends AppError {
  constructor(status: string) {
    super('JOBS.VENDOR_CALLBACK_TOO_LATE', 'conflict', `The job is already ${status}; the answer was not recorded.`, { status });
  }
}
