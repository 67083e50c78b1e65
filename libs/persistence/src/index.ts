export { dataSourceOptions } from './data-source-options';
export type { PersistenceOptions } from './data-source-options';
export { runMigrations } from './run-migrations';
export { isUniqueViolation } from './unique-violation';
export { isDatabaseUnavailable } from './connection-errors';
export { sqlIdentifier } from './sql-identifier';
export { queryRows } from './query-rows';
export { PgListener } from './pg-listener';
export type { PgListenerOptions } from './pg-listener';
