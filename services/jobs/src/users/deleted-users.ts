import { UnauthenticatedError } from '@conveyor/platform';
import type { DataSource } from 'typeorm';

export class UserDeletedError extends UnauthenticatedError {
  constructor() {
    super('This account has been deleted.');
  }
}

/** Refuses a user whose account was deleted (access tokens outlive the deletion by minutes). */
export async function assertNotDeleted(dataSource: DataSource, userId: string): Promise<void> {
  const rows = await dataSource.query<unknown[]>(`SELECT 1 FROM jobs.deleted_users WHERE user_id = $1`, [userId]);
  if (rows.length > 0) throw new UserDeletedError();
}
