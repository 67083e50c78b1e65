import { UserRegisteredV1 } from './auth/user-registered.v1';
import type { EventContract } from './event-contract';

/** Every published contract, every version. A version is never removed once published. */
export const catalogue: readonly EventContract[] = Object.freeze(
  [UserRegisteredV1].sort((a, b) => a.type.localeCompare(b.type)),
);

const byType = new Map<string, EventContract>();
for (const contract of catalogue) {
  // Two contracts with one type would make validation depend on import order.
  if (byType.has(contract.type)) throw new Error(`Duplicate event contract ${contract.type}`);
  byType.set(contract.type, contract);
}

export function findContract(type: string): EventContract | undefined {
  return byType.get(type);
}
