import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@conveyor/config';
import { queryRows } from '@conveyor/persistence';
import { DataSource, type EntityManager } from 'typeorm';
import type { AuthConfig } from '../auth.config';
import type { Credential } from './credential.entity';

/** Adds `admin` to an account's roles, once; a no-op when it already has it. */
export async function grantAdmin(manager: EntityManager, where: { email: string } | { id: string }): Promise<number> {
  const [column, value] = 'email' in where ? ['email', where.email] : ['id', where.id];
  const rows = await queryRows(
    manager,
    `UPDATE auth.credentials SET roles = array_append(roles, 'admin')
      WHERE ${column} = $1 AND NOT 'admin' = ANY(roles) RETURNING id`,
    [value],
  );
  return rows.length;
}

/** The first administrator comes from configuration: `ADMIN_EMAIL` is promoted when it registers or logs in. */
@Injectable()
export class AdminPromotion {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: Pick<AuthConfig, 'ADMIN_EMAIL'>,
  ) {}

  /** The account's roles after promotion, if it is the configured administrator. */
  async applyTo(credential: Pick<Credential, 'id' | 'email' | 'roles'>, manager: EntityManager = this.dataSource.manager): Promise<string[]> {
    if (!this.config.ADMIN_EMAIL || credential.email !== this.config.ADMIN_EMAIL || credential.roles.includes('admin')) {
      return credential.roles;
    }
    await grantAdmin(manager, { id: credential.id });
    return [...credential.roles, 'admin'];
  }
}
