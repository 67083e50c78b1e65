import { Injectable } from '@nestjs/common';
import { decodeKeysetCursor, encodeKeysetCursor, positionTimeSql } from '@conveyor/persistence';
import { DataSource } from 'typeorm';
import { InvalidCursorError } from '../ledger.errors';
import type { ListLedgerRequest } from './list-ledger.request';

interface EntryRow {
  id: string;
  kind: string;
  amount: number;
  held: number;
  job_id: string | null;
  payment_id: string | null;
  note: string | null;
  created_at: Date;
  /** created_at with its full (microsecond) precision, for the cursor. */
  position: string;
}

/** One page of a user's own ledger, newest first, continued by an opaque keyset cursor. */
@Injectable()
export class ListLedgerHandler {
  constructor(private readonly dataSource: DataSource) {}

  async execute(userId: string, { limit, cursor }: ListLedgerRequest) {
    const after = cursor === undefined ? undefined : decodeKeysetCursor(cursor);
    if (cursor !== undefined && !after) throw new InvalidCursorError();
    const rows = await this.dataSource.query<EntryRow[]>(
      `SELECT id, kind, amount, held, job_id, payment_id, note, created_at,
              ${positionTimeSql('created_at')} AS position
       FROM "billing"."ledger_entries"
       WHERE user_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
       ORDER BY created_at DESC, id DESC
       LIMIT $4`,
      [userId, after?.createdAt ?? null, after?.id ?? null, limit + 1],
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((row) => ({
        id: row.id,
        kind: row.kind,
        amount: row.amount,
        held: row.held,
        jobId: row.job_id,
        paymentId: row.payment_id,
        note: row.note,
        createdAt: row.created_at.toISOString(),
      })),
      nextCursor: rows.length > limit ? encodeKeysetCursor({ createdAt: last.position, id: last.id }) : null,
    };
  }
}
