import { signAccessToken, type AccessTokenClaims, type ServiceUnderTest } from '@conveyor/service-testing';
import type { AuthConfig } from '../src/auth.config';
import { SigningKeys } from '../src/signing-keys/signing-keys';

/** An access token signed with auth's own current key, as its login would sign it. */
export async function signWithAuthKey(auth: ServiceUnderTest<AuthConfig>, claims: AccessTokenClaims = {}): Promise<string> {
  return signAccessToken({ ...claims, key: await auth.app.get(SigningKeys).current() });
}
