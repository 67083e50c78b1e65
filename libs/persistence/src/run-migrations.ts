import { DataSource } from 'typeorm';
import { dataSourceOptions, type PersistenceOptions } from './data-source-options';

/** Applies the service's pending migrations and returns their names. */
export async function runMigrations(options: PersistenceOptions): Promise<string[]> {
  const dataSource = new DataSource({ ...dataSourceOptions(options), logging: ['error'] });
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await dataSource.destroy();
  }
}
