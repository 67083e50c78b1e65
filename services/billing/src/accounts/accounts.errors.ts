import { AppError } from '@conveyor/platform';

/** Also the answer right after registration, before billing has opened the account. */
export class AccountNotFoundError extends AppError {
  constructor() {
    super('BILLING.ACCOUNT_NOT_FOUND', 'not_found', 'No billing account exists for this user (yet).');
  }
}

/** The user was deleted; the account is kept only for the ledger. */
export class AccountClosedError extends AppError {
  constructor() {
    super('BILLING.ACCOUNT_CLOSED', 'not_found', 'This billing account is closed.');
  }
}
