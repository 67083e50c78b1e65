/** An event that does not fit its contract; `issues` reads like `/data/email: must match format email`. */
export class InvalidEventError extends Error {
  readonly code = 'CONTRACTS.INVALID_EVENT';

  constructor(
    readonly type: string,
    readonly issues: string[],
  ) {
    super(`Invalid ${type} event: ${issues.join('; ')}`);
    this.name = 'InvalidEventError';
  }
}
