import { AppError } from '@conveyor/platform';

/** The same key with another body: 422, as the IETF Idempotency-Key draft asks. */
export class IdempotencyKeyReusedError extends AppError {
  constructor() {
    super(
      'BILLING.IDEMPOTENCY_KEY_REUSED',
      'unprocessable',
      'This Idempotency-Key was already used with a different request body.',
    );
  }
}

export class TopUpNotFoundError extends AppError {
  constructor() {
    super('BILLING.TOP_UP_NOT_FOUND', 'not_found', 'No such top-up.');
  }
}
