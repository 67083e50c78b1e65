import { randomBytes } from 'node:crypto';

/** `prefix-<8 hex>`: a namespace for exchanges and queues that no parallel spec will share. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}
