import { AppError, UnauthenticatedError } from '@conveyor/platform';

/** One answer for a malformed, unknown or revoked key, so the answer says nothing about keys. */
export class InvalidApiKeyError extends UnauthenticatedError {
  constructor() {
    super('The API key is malformed, unknown or revoked.');
  }
}

export class MissingScopeError extends AppError {
  constructor(scope: string | undefined) {
    super(
      'AUTH.FORBIDDEN_SCOPE',
      'forbidden',
      scope ? `This credential lacks the scope ${scope}.` : 'This route is not open to any credential.',
      { requiredScope: scope ?? null },
    );
  }
}
