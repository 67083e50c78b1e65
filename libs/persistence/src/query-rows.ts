import type { EntityManager } from 'typeorm';

/**
 * The rows a statement returned, whatever the statement. `EntityManager.query` hands back
 * `[rows, count]` for UPDATE … RETURNING but plain rows for INSERT and SELECT; this asks the
 * transaction's query runner for the structured result instead.
 */
export async function queryRows<T>(manager: EntityManager, sql: string, params: unknown[] = []): Promise<T[]> {
  if (!manager.queryRunner?.isTransactionActive) {
    throw new Error('queryRows needs the EntityManager of an open transaction');
  }
  const result = await manager.queryRunner.query(sql, params, true);
  return result.records as T[];
}
