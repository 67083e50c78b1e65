import { isRecord } from '../validation/is-record';

/**
 * A plain-JSON copy of `value` with object keys sorted at every level. Symbol keys (TypeBox
 * keeps its type markers there) and undefined values are dropped, as JSON would.
 */
export function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (!isRecord(value)) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    if (value[key] !== undefined) sorted[key] = sortKeysDeep(value[key]);
  }
  return sorted;
}

/** One spelling per value, so its hash changes only when its content does. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeysDeep(value));
}

/** How generated files are written: 2-space indent and a trailing newline, for clean diffs. */
export function toJsonFile(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
