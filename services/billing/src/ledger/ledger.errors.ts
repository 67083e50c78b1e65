import { AppError } from '@conveyor/platform';

export class InvalidCursorError extends AppError {
  constructor() {
    super('BILLING.INVALID_CURSOR', 'invalid', 'The cursor is not one this service handed out.');
  }
}
