import { normaliseEmail } from '@conveyor/contracts';
import type { ServiceCommand } from '@conveyor/platform';
import { dataSourceOptions } from '@conveyor/persistence';
import { DataSource } from 'typeorm';
import type { AuthConfig } from '../../auth.config';
import { grantAdmin } from '../admin-promotion';

/**
 * `node services/auth/src/main.ts grant-admin <email>`: makes an existing account an
 * administrator. Its next access token (login or refresh) carries the role.
 */
export const grantAdminCommand: ServiceCommand<AuthConfig> = async (config, [email]) => {
  if (!email) throw new Error('usage: grant-admin <email>');
  const dataSource = await new DataSource(
    dataSourceOptions({ url: config.DATABASE_URL, schema: 'auth', applicationName: 'auth-grant-admin' }),
  ).initialize();
  try {
    const normalised = normaliseEmail(email);
    const [found] = await dataSource.query<unknown[]>(`SELECT 1 FROM auth.credentials WHERE email = $1`, [normalised]);
    if (!found) throw new Error(`no account with email ${normalised}`);
    const changed = await grantAdmin(dataSource.manager, { email: normalised });
    return changed ? `${normalised} is now an administrator` : `${normalised} was already an administrator`;
  } finally {
    await dataSource.destroy();
  }
};
