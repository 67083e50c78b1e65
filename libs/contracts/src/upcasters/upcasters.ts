import type { Upcaster } from './upcaster';
import { userCreatedUpcaster } from './user-created.upcaster';

export const upcasters: readonly Upcaster[] = Object.freeze([userCreatedUpcaster]);

/**
 * Routing keys a consumer of `type` must bind besides `type` itself, so that old publishers'
 * messages reach it and get upcast.
 */
export function legacyRoutingKeysFor(type: string): string[] {
  const keys = upcasters.filter((u) => u.targetType === type).map((u) => u.routingKey);
  return [...new Set(keys)].sort();
}
