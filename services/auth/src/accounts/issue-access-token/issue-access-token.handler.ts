import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { APP_CONFIG } from '@conveyor/config';
import { DataSource } from 'typeorm';
import { InvalidCredentialsError } from '../accounts.errors';
import type { AuthConfig } from '../../auth.config';
import { Credential } from '../credential.entity';
import { PasswordHasher } from '../password-hasher';
import type { IssueAccessTokenRequest } from './issue-access-token.request';

export interface AccessToken {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

@Injectable()
export class IssueAccessTokenHandler {
  constructor(
    private readonly dataSource: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: Pick<AuthConfig, 'ACCESS_TOKEN_TTL_SECONDS'>,
  ) {}

  /** Same error, and one bcrypt comparison either way, for unknown email and wrong password. */
  async execute({ email, password }: IssueAccessTokenRequest): Promise<AccessToken> {
    const credential = await this.dataSource.getRepository(Credential).findOneBy({ email });
    if (!(await this.hasher.verify(password, credential?.passwordHash)) || !credential) {
      throw new InvalidCredentialsError();
    }
    const expiresIn = this.config.ACCESS_TOKEN_TTL_SECONDS;
    const accessToken = await this.jwt.signAsync(
      { sub: credential.id, email: credential.email, roles: ['user'] },
      { expiresIn },
    );
    return { accessToken, tokenType: 'Bearer', expiresIn };
  }
}
