import type { EntityManager } from 'typeorm';
import { Account } from './account.entity';
import { AccountClosedError, AccountNotFoundError } from './accounts.errors';

/**
 * Reads the account with `SELECT … FOR NO KEY UPDATE`, so that every change to one account
 * (a reservation checking the balance, a capture, a grant, a plan change) waits for the one
 * before it to commit. This is FOR UPDATE minus the key lock: it excludes the other lockers
 * just the same, but lets rows that merely reference the account (a new payment, whose
 * foreign key takes a key-share lock) be inserted meanwhile. The account row is the first
 * lock any billing transaction takes, so locks are always taken in the same order.
 */
export function lockAccount(manager: EntityManager, userId: string): Promise<Account | null> {
  return manager.findOne(Account, { where: { userId }, lock: { mode: 'for_no_key_update' } });
}

/** lockAccount for changes a client or an admin asks for: the account must exist and be open. */
export async function lockOpenAccount(manager: EntityManager, userId: string): Promise<Account> {
  const account = await lockAccount(manager, userId);
  if (!account) throw new AccountNotFoundError();
  if (account.closedAt) throw new AccountClosedError();
  return account;
}
