import { AppError } from '@conveyor/platform';

export class EmailTakenError extends AppError {
  constructor() {
    super('AUTH.EMAIL_TAKEN', 'conflict', 'An account with this email already exists.');
  }
}

/** Deliberately the same for an unknown email and a wrong password. */
export class InvalidCredentialsError extends AppError {
  constructor() {
    super('AUTH.INVALID_CREDENTIALS', 'unauthorized', 'The email or password is not correct.');
  }
}

export class AccountNotFoundError extends AppError {
  constructor() {
    super('AUTH.ACCOUNT_NOT_FOUND', 'unauthorized', 'The account of this token no longer exists.');
  }
}

/** The same for an unknown, used, expired or mistyped confirmation or reset token. */
export class InvalidAccountTokenError extends AppError {
  constructor() {
    super('AUTH.INVALID_TOKEN', 'invalid', 'The token is not valid; it may have expired or been used already.');
  }
}

export class WrongPasswordError extends AppError {
  constructor() {
    super('AUTH.WRONG_PASSWORD', 'forbidden', 'The current password is not correct.');
  }
}
