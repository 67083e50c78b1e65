/** Thrown while a contract is being defined, so a badly named type never reaches the bus. */
export class InvalidEventTypeError extends Error {
  readonly code = 'CONTRACTS.INVALID_EVENT_TYPE';

  constructor(readonly type: string) {
    super(`Event type "${type}" does not match <context>.<entity>.<verb>.v<N>`);
    this.name = 'InvalidEventTypeError';
  }
}
