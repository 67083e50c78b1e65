import { createHash } from 'node:crypto';
import { InvalidIdempotencyKeyError } from '../jobs.errors';

/** Printable ASCII, as the IETF draft's examples and Stripe's limit of 255 characters. */
const IDEMPOTENCY_KEY = /^[\x20-\x7e]{1,255}$/;

export interface IdempotencyRequest {
  key: string;
  /** SHA-256 of the body as canonical JSON: the same body in any key order is the same request. */
  fingerprint: string;
}

/** The request's idempotency, or undefined without an `Idempotency-Key` header. */
export function idempotencyOf(header: string | undefined, body: unknown): IdempotencyRequest | undefined {
  if (header === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(header)) throw new InvalidIdempotencyKeyError();
  return { key: header, fingerprint: createHash('sha256').update(canonicalJson(body)).digest('hex') };
}

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeysDeep(value));
}

function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((key) => [key, sortKeysDeep(record[key])]),
  );
}
