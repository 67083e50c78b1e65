import { DynamicModule, Module } from '@nestjs/common';
import { AccessTokenGuard } from '@conveyor/platform';
import type { AuthConfig } from '../config';
import { LoginHandler } from './login/login.handler';
import { LoginHttpController } from './login/login.http.controller';
import { MeHttpController } from './me/me.http.controller';
import { PasswordHasher } from './password-hasher';
import { RegisterHandler } from './register/register.handler';
import { RegisterHttpController } from './register/register.http.controller';

@Module({})
export class AccountsModule {
  static forConfig(config: AuthConfig): DynamicModule {
    return {
      module: AccountsModule,
      controllers: [RegisterHttpController, LoginHttpController, MeHttpController],
      providers: [
        { provide: PasswordHasher, useValue: new PasswordHasher(config.BCRYPT_ROUNDS) },
        RegisterHandler,
        LoginHandler,
        AccessTokenGuard,
      ],
    };
  }
}
