import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { lockOpenAccount } from '../../accounts/lock-account';
import { appendEntry } from '../../ledger/append-entry';
import { entryEffect } from '../../ledger/entry-kinds';
import type { GrantCreditsRequest } from './grant-credits.request';

export interface Grant {
  id: string;
  userId: string;
  credits: number;
  note: string | null;
  available: number;
  createdAt: string;
}

/** Adds credits to an account as a `grant` ledger entry. */
@Injectable()
export class GrantCreditsHandler {
  constructor(private readonly dataSource: DataSource) {}

  execute(userId: string, { credits, note }: GrantCreditsRequest): Promise<Grant> {
    return this.dataSource.transaction(async (manager) => {
      await lockOpenAccount(manager, userId);
      const entry = await appendEntry(manager, userId, { ...entryEffect.grant(credits), note: note ?? null });
      const { id, available, createdAt } = entry;
      return { id, userId, credits, note: note ?? null, available, createdAt: createdAt.toISOString() };
    });
  }
}
