import { DataSource, type EntityManager } from 'typeorm';

/**
 * The rows a statement returned, whatever the statement. `query()` hands back `[rows, count]`
 * for UPDATE or DELETE … RETURNING but plain rows for INSERT and SELECT; this asks the query
 * runner for the structured result instead. Inside a transaction it uses the transaction's
 * runner; otherwise a pooled connection for this one statement.
 */
export async function queryRows<T>(db: EntityManager | DataSource, sql: string, params: unknown[] = []): Promise<T[]> {
  const ownRunner = db instanceof DataSource ? undefined : db.queryRunner;
  if (ownRunner) return (await ownRunner.query(sql, params, true)).records as T[];
  const runner = (db instanceof DataSource ? db : db.connection).createQueryRunner();
  try {
    return (await runner.query(sql, params, true)).records as T[];
  } finally {
    await runner.release();
  }
}
