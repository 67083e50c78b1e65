import { Injectable } from '@nestjs/common';
import { decodeKeysetCursor, encodeKeysetCursor, positionTimeSql } from '@conveyor/persistence';
import { RequestValidationError } from '@conveyor/platform';
import { DataSource } from 'typeorm';
import { jobActivityOf, type JobActivityRow } from '../../activity/job-activity';
import type { ListUsersRequest } from './list-users.request';

interface Row extends JobActivityRow {
  user_id: string;
  email: string;
  name: string | null;
  registered_at: Date;
  updated_at: Date;
  position: string;
}

/** Live profiles with their job summaries, newest registration first, paged by keyset; `q` filters on email or name. */
@Injectable()
export class ListUsersHandler {
  constructor(private readonly dataSource: DataSource) {}

  async execute({ cursor, q, limit }: ListUsersRequest) {
    const after = cursor === undefined ? undefined : decodeKeysetCursor(cursor);
    if (cursor !== undefined && !after) throw new RequestValidationError([{ field: 'cursor', message: 'cursor is not valid' }]);
    const params: unknown[] = [limit + 1];
    const where = ['p.deleted_at IS NULL'];
    if (after) {
      params.push(after.createdAt, after.id);
      where.push(`(p.registered_at, p.user_id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    if (q) {
      // The search text is data, never pattern syntax.
      params.push(`%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      where.push(`(p.email ILIKE $${params.length} OR p.name ILIKE $${params.length})`);
    }
    const rows = await this.dataSource.query<Row[]>(
      `SELECT p.user_id, p.email, p.name, p.registered_at, p.updated_at, ${positionTimeSql('p.registered_at')} AS position,
              a.succeeded, a.failed, a.canceled, a.last_job_at
         FROM users.profiles p LEFT JOIN users.job_activity a USING (user_id)
        WHERE ${where.join(' AND ')}
        ORDER BY p.registered_at DESC, p.user_id DESC LIMIT $1`,
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
        activity: jobActivityOf(r),
      })),
      nextCursor: rows.length > limit && last ? encodeKeysetCursor({ createdAt: last.position, id: last.user_id }) : null,
    };
  }
}
