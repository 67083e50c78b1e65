import type { EntityManager } from 'typeorm';

/** Used only if the '*' row of `billing.job_costs` was removed. */
const FALLBACK_COST = 1;

/** What a job of `type` costs: its own row in `billing.job_costs`, else the '*' row. */
export async function costOf(manager: EntityManager, type: string): Promise<number> {
  const rows: { credits: number }[] = await manager.query(
    `SELECT credits FROM "billing"."job_costs" WHERE job_type IN ($1, '*') ORDER BY job_type = '*' LIMIT 1`,
    [type],
  );
  return rows[0]?.credits ?? FALLBACK_COST;
}
