import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Credential } from '../../accounts/credential.entity';
import { AccessTokenIssuer } from '../access-token-issuer';
import { RefreshTokens } from '../refresh-tokens';
import { InvalidRefreshTokenError } from '../sessions.errors';

/** Rotates the refresh token and issues a fresh access token with the account's current roles. */
@Injectable()
export class RefreshSessionHandler {
  constructor(
    private readonly dataSource: DataSource,
    private readonly refreshTokens: RefreshTokens,
    private readonly accessTokens: AccessTokenIssuer,
  ) {}

  async execute(token: string | undefined) {
    if (!token) throw new InvalidRefreshTokenError();
    const { userId, familyId, ...refresh } = await this.refreshTokens.rotate(token);
    const credential = await this.dataSource.getRepository(Credential).findOneByOrFail({ id: userId });
    return { ...(await this.accessTokens.issue(credential, familyId)), tokenType: 'Bearer' as const, ...refresh };
  }
}
