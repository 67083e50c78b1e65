export { APP_CONFIG, ConfigModule } from './config.module';
export { ConfigValidationError, loadConfig } from './load-config';
export { commonEnvSchema, serviceEnvSchema } from './common-env';
export type { CommonConfig, ServiceConfig } from './common-env';
export { jsonEnv } from './json-env';
