import { Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Account } from '../../accounts/account.entity';
import { AccountClosedError, AccountNotFoundError } from '../../accounts/accounts.errors';
import { IdempotencyKeyReusedError } from '../top-ups.errors';
import { acceptedTopUpView } from '../top-up.view';
import type { RequestTopUpRequest } from './request-top-up.request';

interface PaymentRow {
  id: string;
  credits: number;
  created_at: Date;
  request_hash: string;
}

export interface TopUpAccepted {
  topUp: ReturnType<typeof acceptedTopUpView>;
  /** True when the key was seen before with the same body: the first answer is repeated. */
  replayed: boolean;
}

/**
 * Records a pending payment for the processor to charge. The insert itself decides between
 * requests racing with one key (the unique (user_id, idempotency_key) constraint): the loser
 * reads the winner's row and replays its answer, or refuses a different body.
 */
@Injectable()
export class RequestTopUpHandler {
  constructor(private readonly dataSource: DataSource) {}

  async execute(userId: string, idempotencyKey: string, request: RequestTopUpRequest): Promise<TopUpAccepted> {
    const account = await this.dataSource.getRepository(Account).findOneBy({ userId });
    if (!account) throw new AccountNotFoundError();
    if (account.closedAt) throw new AccountClosedError();
    const requestHash = createHash('sha256').update(JSON.stringify({ credits: request.credits })).digest('hex');
    const created = await this.dataSource.query<PaymentRow[]>(
      `INSERT INTO "billing"."payments" (id, user_id, credits, idempotency_key, request_hash) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (user_id, idempotency_key) DO NOTHING RETURNING id, credits, created_at, request_hash`,
      [randomUUID(), userId, request.credits, idempotencyKey, requestHash],
    );
    if (created.length === 1) return { topUp: view(created[0]), replayed: false };

    const [existing] = await this.dataSource.query<PaymentRow[]>(
      `SELECT id, credits, created_at, request_hash FROM "billing"."payments" WHERE user_id = $1 AND idempotency_key = $2`,
      [userId, idempotencyKey],
    );
    if (existing.request_hash !== requestHash) throw new IdempotencyKeyReusedError();
    return { topUp: view(existing), replayed: true };
  }
}

const view = (row: PaymentRow) => acceptedTopUpView({ id: row.id, credits: row.credits, createdAt: row.created_at });
