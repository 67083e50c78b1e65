import { createHash } from 'node:crypto';

/** Namespace of every name-based id Conveyor derives; changing it would break deduplication. */
export const CONVEYOR_UUID_NAMESPACE = '925e9971-0e13-4ce2-a40b-ed5ad400c3e5';

/**
 * RFC 9562 version 5 UUID: SHA-1 of namespace and name, so the same name always gives the
 * same id. Upcasters use it to give a redelivered legacy message the same dedup key.
 */
export function nameBasedUuid(name: string, namespace: string = CONVEYOR_UUID_NAMESPACE): string {
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
