import { DynamicModule, Module } from '@nestjs/common';
import { AccessTokenGuard } from '@conveyor/platform';
import type { AuthConfig } from '../auth.config';
import { IssueAccessTokenHandler } from './issue-access-token/issue-access-token.handler';
import { IssueAccessTokenHttpController } from './issue-access-token/issue-access-token.http.controller';
import { GetMyAccountHttpController } from './get-my-account/get-my-account.http.controller';
import { PasswordHasher } from './password-hasher';
import { RegisterAccountHandler } from './register-account/register-account.handler';
import { RegisterAccountHttpController } from './register-account/register-account.http.controller';
import { SessionsModule } from '../sessions/sessions.module';
import { AdminPromotion } from './admin-promotion';
import { OnUserDeletedHandler } from './on-user-deleted/on-user-deleted.handler';
import { LoginThrottle } from './issue-access-token/login-throttle';

@Module({})
export class AccountsModule {
  static forConfig(config: AuthConfig): DynamicModule {
    return {
      module: AccountsModule,
      imports: [SessionsModule],
      controllers: [RegisterAccountHttpController, IssueAccessTokenHttpController, GetMyAccountHttpController, OnUserDeletedHandler],
      providers: [
        { provide: PasswordHasher, useValue: new PasswordHasher(config.BCRYPT_ROUNDS) },
        RegisterAccountHandler,
        IssueAccessTokenHandler,
        AdminPromotion,
        LoginThrottle,
        AccessTokenGuard,
      ],
    };
  }
}
