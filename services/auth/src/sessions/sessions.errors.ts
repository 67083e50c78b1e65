import { AppError } from '@conveyor/platform';

/** The same for an unknown, expired, revoked or reused refresh token. */
export class InvalidRefreshTokenError extends AppError {
  constructor() {
    super('AUTH.INVALID_REFRESH_TOKEN', 'unauthorized', 'The refresh token is not valid.');
  }
}
