import type { ServiceDefinition } from '@conveyor/platform';
import { AccountsModule } from './accounts/accounts.module';
import { Credential } from './accounts/credential.entity';
import { ApiKey } from './api-keys/api-key.entity';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { authEnvSchema, type AuthConfig } from './auth.config';
import { CreateCredentials1764230400000 } from './migrations/1764230400000-create-credentials';
import { CreateApiKeys1764403200000 } from './migrations/1764403200000-create-api-keys';

export const authService: ServiceDefinition<AuthConfig> = {
  name: 'auth',
  schema: 'auth',
  envSchema: authEnvSchema,
  entities: [Credential, ApiKey],
  migrations: [CreateCredentials1764230400000, CreateApiKeys1764403200000],
  modules: (config) => [AccountsModule.forConfig(config), ApiKeysModule],
};
