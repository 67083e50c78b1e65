import { Injectable } from '@nestjs/common';
import { decodeKeysetCursor, encodeKeysetCursor, positionTimeSql } from '@conveyor/persistence';
import { RequestValidationError } from '@conveyor/platform';
import { DataSource } from 'typeorm';
import type { ListUsersRequest } from './list-users.request';

interface Row {
  user_id: string;
  email: string;
  name: string | null;
  registered_at: Date;
  updated_at: Date;
  position: string;
}

/** Live profiles, newest registration first, paged by keyset; `q` filters on email or name. */
@Injectable()
export class ListUsersHandler {
  constructor(private readonly dataSource: DataSource) {}

  async execute({ cursor, q, limit }: ListUsersRequest) {
    const after = cursor === undefined ? undefined : decodeKeysetCursor(cursor);
    if (cursor !== undefined && !after) throw new RequestValidationError([{ field: 'cursor', message: 'cursor is not valid' }]);
    const params: unknown[] = [limit + 1];
    const where = ['deleted_at IS NULL'];
    if (after) {
      params.push(after.createdAt, after.id);
      where.push(`(registered_at, user_id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    if (q) {
      // The search text is data, never pattern syntax.
      params.push(`%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      where.push(`(email ILIKE $${params.length} OR name ILIKE $${params.length})`);
    }
    const rows = await this.dataSource.query<Row[]>(
      `SELECT user_id, email, name, registered_at, updated_at, ${positionTimeSql('registered_at')} AS position
         FROM users.profiles WHERE ${where.join(' AND ')}
        ORDER BY registered_at DESC, user_id DESC LIMIT $1`,
      params,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => ({
        id: r.user_id,
        email: r.email,
        name: r.name,
        registeredAt: r.registered_at.toISOString(),
        updatedAt: r.updated_at.toISOString(),
      })),
      nextCursor: rows.length > limit && last ? encodeKeysetCursor({ createdAt: last.position, id: last.user_id }) : null,
    };
  }
}
