import { AppError } from '@conveyor/platform';

/** Also the answer shortly after registration, before the event has been applied. */
export class ProfileNotFoundError extends AppError {
  constructor() {
    super('USERS.PROFILE_NOT_FOUND', 'not_found', 'No profile exists for this user (yet).');
  }
}
