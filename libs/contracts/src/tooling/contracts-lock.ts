import { createHash } from 'node:crypto';
import type { TSchema } from '@sinclair/typebox';
import type { EventContract } from '../event-contract';
import { canonicalJson } from './canonical-json';

/** Event type → SHA-256 of its data schema, for every version ever published. */
export type ContractsLock = Record<string, string>;

export interface LockCheck {
  /** The lock as it should be written: the old entries plus any new types. */
  next: ContractsLock;
  added: string[];
  /** Locked types whose schema is no longer the one published. */
  changed: string[];
  /** Locked types that disappeared from the catalogue. */
  removed: string[];
}

export function fingerprintSchema(schema: TSchema): string {
  return createHash('sha256').update(canonicalJson(withSortedRequired(schema))).digest('hex');
}

/**
 * `required` is a set, so its order is not part of the shape: reordering a schema's
 * properties in the source must not read as a breaking change.
 */
function withSortedRequired(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withSortedRequired);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => [
      key,
      key === 'required' && Array.isArray(child) ? [...child].sort() : withSortedRequired(child),
    ]),
  );
}

/**
 * Compares the catalogue with the lock. Only additions are allowed: consumers may still
 * receive any version that was ever published, so its shape is frozen and it stays listed.
 */
export function checkLock(locked: ContractsLock, contracts: readonly EventContract[]): LockCheck {
  const current = new Map(contracts.map((c) => [c.type, fingerprintSchema(c.schema)]));
  const added = [...current.keys()].filter((type) => !(type in locked)).sort();
  const changed = Object.keys(locked)
    .filter((type) => current.has(type) && current.get(type) !== locked[type])
    .sort();
  const removed = Object.keys(locked)
    .filter((type) => !current.has(type))
    .sort();
  const next: ContractsLock = {};
  for (const type of [...Object.keys(locked), ...added].sort()) {
    next[type] = locked[type] ?? (current.get(type) as string);
  }
  return { next, added, changed, removed };
}
