import { isUuid } from '@conveyor/contracts';

/**
 * Where a page of a newest-first list ends: the last row's time, to the microsecond as
 * Postgres keeps it, and its id (the tie-breaker). Paging on `(created_at, id) < position`
 * never repeats or skips a row, however many are added meanwhile.
 */
export interface KeysetPosition {
  createdAt: string;
  id: string;
}

/** SQL for a timestamptz column as the microsecond-exact text a position holds. */
export const positionTimeSql = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** Opaque to clients: base64url of a small JSON object. */
export function encodeKeysetCursor({ createdAt, id }: KeysetPosition): string {
  return Buffer.from(JSON.stringify({ c: createdAt, i: id })).toString('base64url');
}

/** The position a cursor stands for, or undefined when it is not one this code made. */
export function decodeKeysetCursor(cursor: string): KeysetPosition | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const { c, i, ...extra } = value as Record<string, unknown>;
  if (Object.keys(extra).length > 0) return undefined;
  if (typeof c !== 'string' || !TIME.test(c) || Number.isNaN(Date.parse(c))) return undefined;
  if (typeof i !== 'string' || !isUuid(i)) return undefined;
  return { createdAt: c, id: i };
}
