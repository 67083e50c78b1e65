import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InvalidCredentialsError } from '../accounts.errors';
import { Credential } from '../credential.entity';
import { PasswordHasher } from '../password-hasher';
import { AdminPromotion } from '../admin-promotion';
import { AccessTokenIssuer } from '../../sessions/access-token-issuer';
import { RefreshTokens } from '../../sessions/refresh-tokens';
import type { IssueAccessTokenRequest } from './issue-access-token.request';
import { LoginThrottle } from './login-throttle';

export interface IssuedSession {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
}

/** Login: checks the password and starts a session (a new refresh-token family). */
@Injectable()
export class IssueAccessTokenHandler {
  constructor(
    private readonly dataSource: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly accessTokens: AccessTokenIssuer,
    private readonly refreshTokens: RefreshTokens,
    private readonly promotion: AdminPromotion,
    private readonly throttle: LoginThrottle,
  ) {}

  /** Same error, and one bcrypt comparison either way, for unknown email, wrong password and a disabled account. */
  async execute({ email, password }: IssueAccessTokenRequest, ip: string): Promise<IssuedSession> {
    await this.throttle.assertAllowed(email, ip);
    const credential = await this.dataSource.getRepository(Credential).findOneBy({ email });
    if (!(await this.hasher.verify(password, credential?.passwordHash)) || !credential || credential.disabledAt) {
      await this.throttle.recordFailure(email, ip);
      throw new InvalidCredentialsError();
    }
    await this.throttle.recordSuccess(email);
    const roles = await this.promotion.applyTo(credential);
    const { familyId, ...refresh } = await this.refreshTokens.start(credential.id);
    const access = await this.accessTokens.issue({ ...credential, roles }, familyId);
    return { ...access, tokenType: 'Bearer', ...refresh };
  }
}
