import { Injectable } from '@nestjs/common';
import { decodeKeysetCursor, encodeKeysetCursor, positionTimeSql, queryRows } from '@conveyor/persistence';
import { DataSource } from 'typeorm';
import { ownerCondition, type OwnerScope } from '../../access/owner-scope';
import { webhookIdOf } from '../message-queue';
import { assertMessageId, InvalidCursorError, MessageNotFoundError } from '../messages.errors';
import type { ListMessagesRequest } from './list-messages.request';

const DELIVERY_STATUS = { pending: 'pending', succeeded: 'succeeded', failed: 'exhausted' } as const;

interface MessageRow {
  id: string;
  user_id: string;
  event_id: string | null;
  event_type: string;
  subject: string;
  created_at: Date;
  position: string;
  deliveries: {
    endpointId: string;
    status: string;
    attempts: number;
    nextAttemptAt: string | null;
    lastStatusCode: number | null;
    lastError: string | null;
    finishedAt: string | null;
  }[];
}

/** The delivery log: messages newest first with each delivery's state, and every attempt. */
@Injectable()
export class MessagesQueries {
  constructor(private readonly dataSource: DataSource) {}

  async list(scope: OwnerScope, request: ListMessagesRequest) {
    const owner = ownerCondition(scope, 'm.user_id', 1);
    const params: unknown[] = [...owner.params];
    const where = [owner.sql];
    if (request.userId) {
      params.push(request.userId);
      where.push(`m.user_id = $${params.length}`);
    }
    if (request.status) {
      params.push(DELIVERY_STATUS[request.status]);
      where.push(`EXISTS (SELECT 1 FROM webhooks.deliveries s WHERE s.message_id = m.id AND s.status = $${params.length})`);
    }
    if (request.cursor) {
      const position = decodeKeysetCursor(request.cursor);
      if (!position) throw new InvalidCursorError();
      params.push(position.createdAt, position.id);
      where.push(`(m.created_at, m.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(request.limit + 1);
    const rows = await queryRows<MessageRow>(
      this.dataSource,
      `SELECT m.id, m.user_id, m.event_id, m.event_type, m.subject, m.created_at, ${positionTimeSql('m.created_at')} AS position,
              coalesce((SELECT json_agg(json_build_object(
                  'endpointId', d.endpoint_id, 'status', CASE d.status WHEN 'exhausted' THEN 'failed' ELSE d.status END,
                  'attempts', d.attempts,
                  'nextAttemptAt', CASE WHEN d.status = 'pending' THEN d.next_attempt_at END,
                  'lastStatusCode', d.last_status_code, 'lastError', d.last_error, 'finishedAt', d.finished_at) ORDER BY d.seq)
                 FROM webhooks.deliveries d WHERE d.message_id = m.id), '[]') AS deliveries
         FROM webhooks.messages m
        WHERE ${where.join(' AND ')}
        ORDER BY m.created_at DESC, m.id DESC
        LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, request.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((row) => ({
        id: row.id,
        webhookId: webhookIdOf(row.id),
        ...(scope === 'all' && { userId: row.user_id }),
        eventType: row.event_type,
        eventId: row.event_id,
        subject: row.subject,
        createdAt: row.created_at.toISOString(),
        deliveries: row.deliveries,
      })),
      nextCursor: rows.length > request.limit && last ? encodeKeysetCursor({ createdAt: last.position, id: last.id }) : null,
    };
  }

  async attempts(scope: OwnerScope, messageId: string) {
    assertMessageId(messageId);
    const owner = ownerCondition(scope, 'user_id', 2);
    const [message] = await this.dataSource.query(`SELECT 1 FROM webhooks.messages WHERE id = $1 AND ${owner.sql}`, [messageId, ...owner.params]);
    if (!message) throw new MessageNotFoundError();
    const rows = await queryRows<Record<string, unknown>>(
      this.dataSource,
      `SELECT d.endpoint_id AS "endpointId", a.number, a.started_at AS "startedAt", a.finished_at AS "finishedAt",
              a.outcome, a.status_code AS "statusCode", a.duration_ms AS "durationMs",
              a.response_body AS "responseBody", a.error
         FROM webhooks.attempts a JOIN webhooks.deliveries d ON d.id = a.delivery_id
        WHERE d.message_id = $1
        ORDER BY a.started_at, a.id`,
      [messageId],
    );
    return { items: rows };
  }
}
