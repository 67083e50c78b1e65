import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { APP_CONFIG } from '@conveyor/config';
import { ACCESS_TOKEN_ALGORITHM, ACCESS_TOKEN_ISSUER } from '@conveyor/platform';
import type { AuthConfig } from '../auth.config';
import type { Credential } from '../accounts/credential.entity';
import { SigningKeys } from '../signing-keys/signing-keys';

/** Signs short-lived access tokens with the current key, `kid` in the header. */
@Injectable()
export class AccessTokenIssuer {
  private readonly jwt = new JwtService();

  constructor(
    private readonly keys: SigningKeys,
    @Inject(APP_CONFIG) private readonly config: Pick<AuthConfig, 'ACCESS_TOKEN_TTL_SECONDS'>,
  ) {}

  /** `sid` names the session (refresh-token family), so "other sessions" can be told from this one. */
  async issue(credential: Pick<Credential, 'id' | 'email' | 'roles'>, sessionId: string): Promise<{ accessToken: string; expiresIn: number }> {
    const { kid, privateKey } = await this.keys.current();
    const expiresIn = this.config.ACCESS_TOKEN_TTL_SECONDS;
    const accessToken = await this.jwt.signAsync(
      { sub: credential.id, email: credential.email, roles: credential.roles, sid: sessionId },
      { algorithm: ACCESS_TOKEN_ALGORITHM, keyid: kid, privateKey, issuer: ACCESS_TOKEN_ISSUER, expiresIn },
    );
    return { accessToken, expiresIn };
  }
}
