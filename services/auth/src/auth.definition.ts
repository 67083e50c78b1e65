import { RateLimitModule, type ServiceDefinition } from '@conveyor/platform';
import { AccountsModule } from './accounts/accounts.module';
import { Credential } from './accounts/credential.entity';
import { grantAdminCommand } from './accounts/grant-admin/grant-admin.command';
import { ApiKey } from './api-keys/api-key.entity';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { authEnvSchema, type AuthConfig } from './auth.config';
import { CreateCredentials1764230400000 } from './migrations/1764230400000-create-credentials';
import { CreateApiKeys1764403200000 } from './migrations/1764403200000-create-api-keys';
import { CreateSigningKeys1764576000000 } from './migrations/1764576000000-create-signing-keys';
import { CreateSessionsAndRoles1764576060000 } from './migrations/1764576060000-create-sessions-and-roles';
import { CreateLoginFailures1764576300000 } from './migrations/1764576300000-create-login-failures';
import { CreateRateLimits1764576360000 } from './migrations/1764576360000-create-rate-limits';
import { CreateAccountTokens1764576480000 } from './migrations/1764576480000-create-account-tokens';
import { rotateKeysCommand } from './signing-keys/rotate-keys/rotate-keys.command';
import { SigningKeys } from './signing-keys/signing-keys';
import { CreateConsumerFailures1764700000000 } from './migrations/1764700000000-create-consumer-failures';
import { UnloggedRateLimits1764800000000 } from './migrations/1764800000000-unlogged-rate-limits';

export const authService: ServiceDefinition<AuthConfig> = {
  name: 'auth',
  schema: 'auth',
  envSchema: authEnvSchema,
  entities: [Credential, ApiKey],
  migrations: [
    CreateCredentials1764230400000,
    CreateApiKeys1764403200000,
    CreateSigningKeys1764576000000,
    CreateSessionsAndRoles1764576060000,
    CreateLoginFailures1764576300000,
    CreateRateLimits1764576360000,
    CreateAccountTokens1764576480000,
    CreateConsumerFailures1764700000000,
    UnloggedRateLimits1764800000000,
  ],
  modules: (config) => [AccountsModule.forConfig(config), ApiKeysModule, RateLimitModule.forService('auth', config)],
  // auth verifies its own tokens from its key table, not over HTTP from itself.
  accessTokenKeys: SigningKeys,
  commands: { 'rotate-keys': rotateKeysCommand, 'grant-admin': grantAdminCommand },
};
