import type { Credential } from './credential.entity';

/** The public shape of an account; never includes the password hash. */
export const accountView = (c: Credential) => ({
  id: c.id,
  email: c.email,
  name: c.name,
  createdAt: c.createdAt.toISOString(),
});
