import { Injectable } from '@nestjs/common';
import { queryRows } from '@conveyor/persistence';
import { DataSource } from 'typeorm';
import { ownerCondition, type OwnerScope } from '../../access/owner-scope';
import { DELIVERY_DUE_CHANNEL } from '../message-queue';
import { assertMessageId, MessageNotFoundError } from '../messages.errors';
import type { BulkReplayRequest } from './replay.request';

/**
 * Takes deliveries out of the dead-letter state: each exhausted delivery becomes due now with
 * a fresh retry schedule; its attempt log and `webhook-id` stay. A delivery that is pending or
 * succeeded is left alone, so replaying twice sends nothing twice.
 */
@Injectable()
export class ReplayHandler {
  constructor(private readonly dataSource: DataSource) {}

  async replayMessage(scope: OwnerScope, messageId: string): Promise<{ replayed: number }> {
    assertMessageId(messageId);
    const owner = ownerCondition(scope, 'user_id', 2);
    const [message] = await this.dataSource.query(`SELECT 1 FROM webhooks.messages WHERE id = $1 AND ${owner.sql}`, [messageId, ...owner.params]);
    if (!message) throw new MessageNotFoundError();
    return { replayed: await this.requeue(`d.message_id = $1`, [messageId]) };
  }

  async replayRange(scope: OwnerScope, request: BulkReplayRequest): Promise<{ count: number; dryRun: boolean }> {
    const owner = ownerCondition(scope, 'm.user_id', 1);
    const params: unknown[] = [...owner.params, request.since, request.until ?? new Date()];
    const messageWhere = [owner.sql, `m.created_at >= $2`, `m.created_at < $3`];
    if (request.userId) {
      params.push(request.userId);
      messageWhere.push(`m.user_id = $${params.length}`);
    }
    let selection = `d.message_id IN (SELECT m.id FROM webhooks.messages m WHERE ${messageWhere.join(' AND ')})`;
    if (request.endpointId) {
      params.push(request.endpointId);
      selection += ` AND d.endpoint_id = $${params.length}`;
    }
    if (request.dryRun) {
      const [row] = await this.dataSource.query<{ count: number }[]>(
        `SELECT count(*)::int AS count FROM webhooks.deliveries d WHERE d.status = 'exhausted' AND ${selection}`,
        params,
      );
      return { count: row?.count ?? 0, dryRun: true };
    }
    return { count: await this.requeue(selection, params), dryRun: false };
  }

  private async requeue(selection: string, params: unknown[]): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const rows = await queryRows(
        manager,
        `UPDATE webhooks.deliveries d
            SET status = 'pending', round_attempts = 0, next_attempt_at = now(), finished_at = NULL, updated_at = now()
          WHERE d.status = 'exhausted' AND ${selection}
          RETURNING 1`,
        params,
      );
      if (rows.length > 0) await manager.query(`SELECT pg_notify($1, '')`, [DELIVERY_DUE_CHANNEL]);
      return rows.length;
    });
  }
}
