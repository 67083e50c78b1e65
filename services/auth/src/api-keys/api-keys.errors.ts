import { AppError } from '@conveyor/platform';
import { MAX_ACTIVE_API_KEYS } from './api-key.rules';

export class ApiKeyLimitError extends AppError {
  constructor() {
    super(
      'AUTH.API_KEY_LIMIT',
      'conflict',
      `An account can have at most ${MAX_ACTIVE_API_KEYS} active API keys; revoke one before creating another.`,
    );
  }
}

/** Also the answer for another client's key, so nobody can probe which key ids exist. */
export class ApiKeyNotFoundError extends AppError {
  constructor() {
    super('AUTH.API_KEY_NOT_FOUND', 'not_found', 'No API key with this id exists.');
  }
}
