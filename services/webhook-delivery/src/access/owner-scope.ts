/** Whose rows a request may see: one client's, or (admin routes) every client's. */
export type OwnerScope = { userId: string } | 'all';

/** SQL condition on a `user_id` column for a scope, with its parameter at `$index`. */
export function ownerCondition(scope: OwnerScope, column: string, index: number): { sql: string; params: unknown[] } {
  return scope === 'all' ? { sql: `($${index}::uuid IS NULL)`, params: [null] } : { sql: `${column} = $${index}`, params: [scope.userId] };
}
