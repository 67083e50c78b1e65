import { isUuid } from '@conveyor/contracts';

/** Where a page of the ledger ends: the last entry's time (microseconds, UTC) and id. */
export interface LedgerPosition {
  createdAt: string;
  id: string;
}

const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** Opaque to clients: base64url of `[createdAt, id]`. */
export function encodeLedgerCursor({ createdAt, id }: LedgerPosition): string {
  return Buffer.from(JSON.stringify([createdAt, id]), 'utf8').toString('base64url');
}

/** The position a cursor stands for, or undefined when it is not one this service made. */
export function decodeLedgerCursor(cursor: string): LedgerPosition | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length !== 2) return undefined;
  const [createdAt, id] = value as unknown[];
  if (typeof createdAt !== 'string' || !TIME.test(createdAt) || Number.isNaN(Date.parse(createdAt))) return undefined;
  if (typeof id !== 'string' || !isUuid(id)) return undefined;
  return { createdAt, id };
}
