import type { Profile } from './profile.entity';

/** The public shape of a live profile. */
export const profileView = (profile: Profile) => ({
  id: profile.userId,
  email: profile.email,
  name: profile.name,
  registeredAt: profile.registeredAt.toISOString(),
  updatedAt: profile.updatedAt.toISOString(),
});
