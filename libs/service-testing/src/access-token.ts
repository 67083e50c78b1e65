import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';

/** The signing secret of every service a spec boots; specs sign their own tokens with it. */
export const TEST_JWT_SECRET = 'service-integration-spec-secret-0123456789';

export interface AccessTokenClaims {
  userId?: string;
  email?: string;
  roles?: string[];
  /** Seconds; negative for a token that has already expired. */
  expiresIn?: number;
  secret?: string;
  issuer?: string;
}

/** An access token as auth issues them (HS256, issuer `conveyor-auth`), unless told otherwise. */
export function signAccessToken({
  userId = randomUUID(),
  email = `${userId}@example.com`,
  roles = ['user'],
  expiresIn = 300,
  secret = TEST_JWT_SECRET,
  issuer = 'conveyor-auth',
}: AccessTokenClaims = {}): Promise<string> {
  return new JwtService({ secret }).signAsync({ sub: userId, email, roles }, { algorithm: 'HS256', issuer, expiresIn });
}
