import { UnauthenticatedError, type Principal } from '@conveyor/platform';
import type { DataSource, EntityManager } from 'typeorm';

/**
 * Orders a user's events against the user's deletion, until the transaction ends: an event
 * handled alongside the deletion either commits first (and the deletion drops what it queued)
 * or waits and then sees the deletion. Events take the lock shared, so they never wait for
 * each other; the deletion takes it exclusive. Take it before `isDeletedUser`.
 */
export async function lockUser(manager: EntityManager, userId: string, mode: 'event' | 'deletion'): Promise<void> {
  const lock = mode === 'event' ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock';
  await manager.query(`SELECT ${lock}(hashtext('webhooks.user'), hashtext($1))`, [userId]);
}

/** Whether the user's account was deleted (their events and tokens are refused then). */
export async function isDeletedUser(db: DataSource | EntityManager, userId: string): Promise<boolean> {
  const rows = await db.query<unknown[]>(`SELECT 1 FROM webhooks.deleted_users WHERE user_id = $1`, [userId]);
  return rows.length > 0;
}

/** The access-token guard's extra check: a deleted user's token, still valid for minutes, gets 401. */
export const refuseDeletedUsers =
  (dataSource: DataSource) =>
  async ({ userId }: Principal): Promise<void> => {
    if (await isDeletedUser(dataSource, userId)) throw new UnauthenticatedError('This account has been deleted.');
  };
