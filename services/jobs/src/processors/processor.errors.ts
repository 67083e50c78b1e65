/** Error code of a job that failed: `<SERVICE>.<SNAKE_CASE>`, e.g. `JOBS.ECHO_FAILED`. */
type JobErrorCode = `${Uppercase<string>}.${Uppercase<string>}`;

/** The job cannot succeed however often it runs (bad input, a 4xx from a vendor, …). */
export class PermanentJobError extends Error {
  constructor(
    readonly code: JobErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The job may succeed if it runs again later (network error, 5xx, timeout). */
export class TransientJobError extends Error {
  constructor(
    readonly code: JobErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
