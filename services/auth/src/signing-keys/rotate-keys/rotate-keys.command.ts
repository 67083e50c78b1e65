import type { ServiceCommand } from '@conveyor/platform';
import { dataSourceOptions } from '@conveyor/persistence';
import { DataSource } from 'typeorm';
import type { AuthConfig } from '../../auth.config';
import { KeyEncryption } from '../key-encryption';
import { insertNewKey } from '../signing-key.repository';

/**
 * `node services/auth/src/main.ts rotate-keys`: adds a new signing key. It is published at once
 * and signs after SIGNING_KEY_ACTIVATION_SECONDS (when every service's cached JWKS knows it);
 * the key it replaces stays published, so tokens it signed keep working until they expire; the
 * key before that is no longer trusted.
 */
export const rotateKeysCommand: ServiceCommand<AuthConfig> = async (config) => {
  const dataSource = await new DataSource(
    dataSourceOptions({ url: config.DATABASE_URL, schema: 'auth', applicationName: 'auth-rotate-keys' }),
  ).initialize();
  try {
    const kid = await insertNewKey(dataSource.manager, new KeyEncryption(config.SIGNING_KEY_ENCRYPTION_KEY));
    return `new signing key ${kid}: published now, signing in ${config.SIGNING_KEY_ACTIVATION_SECONDS} s`;
  } finally {
    await dataSource.destroy();
  }
};
