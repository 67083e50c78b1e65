import type { DataSourceOptions, MixedList } from 'typeorm';

export interface PersistenceOptions {
  /** Connection string of the service's own role. */
  url: string;
  /** The one schema this service owns. */
  schema: string;
  /** Shown in pg_stat_activity; defaults to the schema. */
  applicationName?: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities?: MixedList<Function>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations?: MixedList<Function>;
  poolSize?: number;
}

/**
 * TypeORM options bound to one service's schema: its tables, its migrations table
 * (`<schema>.migrations`) and its search path. Schema changes only ever come from
 * migrations; `synchronize` is off everywhere.
 */
export function dataSourceOptions(options: PersistenceOptions): DataSourceOptions {
  return {
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: options.entities ?? [],
    migrations: options.migrations ?? [],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    applicationName: options.applicationName ?? options.schema,
    poolSize: options.poolSize ?? 10,
    extra: {
      options: `-c search_path=${options.schema}`,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
    },
  };
}
