/** Injection token of the configured vendors (`Vendors`, from JOBS_VENDORS). */
export const VENDORS = Symbol('VENDORS');
