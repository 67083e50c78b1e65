import { isUuid } from '@conveyor/contracts';
import { IsNull, type EntityManager } from 'typeorm';
import { Profile } from './profile.entity';
import { ProfileNotFoundError } from './profiles.errors';

/** A profile that exists and is not deleted; anything else (including a malformed id) is a 404. */
export async function findLiveProfile(manager: EntityManager, userId: string, lock = false): Promise<Profile> {
  if (!isUuid(userId)) throw new ProfileNotFoundError();
  const profile = await manager.getRepository(Profile).findOne({
    where: { userId: userId.toLowerCase(), deletedAt: IsNull() },
    ...(lock && { lock: { mode: 'pessimistic_write' as const } }),
  });
  if (!profile) throw new ProfileNotFoundError();
  return profile;
}
