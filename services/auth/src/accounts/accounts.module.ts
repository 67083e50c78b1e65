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
import { MailModule } from '../mail/mail.module';
import { AccountMails } from './account-mails';
import { ChangePasswordHandler } from './change-password/change-password.handler';
import { ChangePasswordHttpController } from './change-password/change-password.http.controller';
import { ConfirmEmailHandler } from './confirm-email/confirm-email.handler';
import { ConfirmEmailHttpController } from './confirm-email/confirm-email.http.controller';
import { ForgotPasswordHandler } from './forgot-password/forgot-password.handler';
import { ForgotPasswordHttpController } from './forgot-password/forgot-password.http.controller';
import { ResetPasswordHandler } from './reset-password/reset-password.handler';
import { ResetPasswordHttpController } from './reset-password/reset-password.http.controller';

@Module({})
export class AccountsModule {
  static forConfig(config: AuthConfig): DynamicModule {
    return {
      module: AccountsModule,
      imports: [SessionsModule, MailModule.forConfig(config)],
      controllers: [
        RegisterAccountHttpController,
        IssueAccessTokenHttpController,
        GetMyAccountHttpController,
        ConfirmEmailHttpController,
        ForgotPasswordHttpController,
        ResetPasswordHttpController,
        ChangePasswordHttpController,
        OnUserDeletedHandler,
      ],
      providers: [
        { provide: PasswordHasher, useValue: new PasswordHasher(config.BCRYPT_ROUNDS) },
        RegisterAccountHandler,
        IssueAccessTokenHandler,
        AdminPromotion,
        LoginThrottle,
        AccountMails,
        ConfirmEmailHandler,
        ForgotPasswordHandler,
        ResetPasswordHandler,
        ChangePasswordHandler,
        AccessTokenGuard,
      ],
    };
  }
}
