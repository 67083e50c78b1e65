import { AppError } from '@conveyor/platform';

/**
 * Answered with 422 by IdempotencyKeyReusedFilter: the platform's error kinds have no 422 yet,
 * so `conflict` (409) is only what a route without that filter would answer.
 */
export class IdempotencyKeyReusedError extends AppError {
  constructor() {
    super(
      'BILLING.IDEMPOTENCY_KEY_REUSED',
      'conflict',
      'This Idempotency-Key was already used with a different request body.',
    );
  }
}

export class TopUpNotFoundError extends AppError {
  constructor() {
    super('BILLING.TOP_UP_NOT_FOUND', 'not_found', 'No such top-up.');
  }
}
