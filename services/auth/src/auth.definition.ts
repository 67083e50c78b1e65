import type { ServiceDefinition } from '@conveyor/platform';
import { AccountsModule } from './accounts/accounts.module';
import { Credential } from './accounts/credential.entity';
import { authEnvSchema, type AuthConfig } from './auth.config';
import { CreateCredentials1764230400000 } from './migrations/1764230400000-create-credentials';

export const authService: ServiceDefinition<AuthConfig> = {
  name: 'auth',
  schema: 'auth',
  envSchema: authEnvSchema,
  entities: [Credential],
  migrations: [CreateCredentials1764230400000],
  modules: (config) => [AccountsModule.forConfig(config)],
};
