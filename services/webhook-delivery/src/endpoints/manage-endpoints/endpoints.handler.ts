import { Injectable } from '@nestjs/common';
import { queryRows } from '@conveyor/persistence';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { EndpointSecrets } from '../endpoint-secrets';
import { EndpointUrlPolicy } from '../endpoint-url';
import type { EndpointRow } from '../endpoint.view';
import { assertEndpointId, EndpointNotFoundError, JobUrlEndpointFixedError } from '../endpoints.errors';
import type { CreateEndpointRequest, UpdateEndpointRequest } from './endpoint.request';

/**
 * A client's endpoints. Subscription endpoints are made here and each has its own signing
 * secret, shown only when it is made or rotated. The endpoints kept for jobs' own `webhookUrl`
 * (kind `job_url`, signed with the client's default secret) are listed too, so their health
 * shows; of them only `enabled` can be changed, and deleting one only forgets its history.
 */
@Injectable()
export class EndpointsHandler {
  constructor(
    private readonly dataSource: DataSource,
    private readonly urls: EndpointUrlPolicy,
    private readonly secrets: EndpointSecrets,
  ) {}

  async create(userId: string, body: CreateEndpointRequest): Promise<{ endpoint: EndpointRow; secret: string }> {
    const url = await this.urls.accept(body.url);
    return this.dataSource.transaction(async (manager) => {
      const [endpoint] = await queryRows<EndpointRow>(
        manager,
        `INSERT INTO webhooks.endpoints (id, user_id, kind, url, event_types, description, rate_limit_per_second, ordered)
         VALUES ($1, $2, 'subscription', $3, $4, $5, $6, $7) RETURNING *`,
        [randomUUID(), userId, url, body.eventTypes ?? null, body.description || null, body.rateLimitPerSecond ?? null, body.ordered ?? false],
      );
      const secret = await this.secrets.create(manager, { userId, endpointId: endpoint.id });
      return { endpoint, secret };
    });
  }

  list(userId: string): Promise<EndpointRow[]> {
    return queryRows<EndpointRow>(
      this.dataSource,
      `SELECT * FROM webhooks.endpoints WHERE user_id = $1 ORDER BY created_at, id`,
      [userId],
    );
  }

  async get(userId: string, id: string): Promise<EndpointRow> {
    assertEndpointId(id);
    const [endpoint] = await queryRows<EndpointRow>(
      this.dataSource,
      `SELECT * FROM webhooks.endpoints WHERE id = $1 AND user_id = $2`,
      [id, userId],
    );
    if (!endpoint) throw new EndpointNotFoundError();
    return endpoint;
  }

  /**
   * Enabling clears the breaker and the failure run, so the endpoint starts afresh; its
   * deliveries that waited meanwhile are sent again.
   */
  async update(userId: string, id: string, body: UpdateEndpointRequest): Promise<EndpointRow> {
    const current = await this.get(userId, id);
    if (current.kind === 'job_url' && Object.keys(body).some((field) => field !== 'enabled')) throw new JobUrlEndpointFixedError();
    const url = body.url === undefined ? undefined : await this.urls.accept(body.url);
    const set: string[] = [];
    const params: unknown[] = [id, userId];
    const assign = (column: string, value: unknown) => {
      params.push(value);
      set.push(`${column} = $${params.length}`);
    };
    if (url !== undefined) assign('url', url);
    if (body.eventTypes !== undefined) assign('event_types', body.eventTypes);
    if (body.description !== undefined) assign('description', body.description || null);
    if (body.rateLimitPerSecond !== undefined) assign('rate_limit_per_second', body.rateLimitPerSecond);
    if (body.ordered !== undefined) assign('ordered', body.ordered);
    if (body.enabled === false) set.push(`disabled_at = coalesce(disabled_at, now()), disabled_reason = coalesce(disabled_reason, 'by_owner')`);
    if (body.enabled === true) {
      set.push(`disabled_at = NULL, disabled_reason = NULL, circuit_state = 'closed', circuit_open_until = NULL,
                consecutive_failures = 0, failing_since = NULL`);
    }
    const [endpoint] = await queryRows<EndpointRow>(
      this.dataSource,
      `UPDATE webhooks.endpoints SET ${set.join(', ')}, updated_at = now()
        WHERE id = $1 AND user_id = $2 RETURNING *`,
      params,
    );
    if (!endpoint) throw new EndpointNotFoundError();
    if (body.enabled === true) await this.dataSource.query(`SELECT pg_notify('webhooks_delivery_due', '')`);
    return endpoint;
  }

  /** Its secrets, deliveries and their attempts go with it; the messages stay. */
  async delete(userId: string, id: string): Promise<void> {
    assertEndpointId(id);
    const deleted = await queryRows(
      this.dataSource,
      `DELETE FROM webhooks.endpoints WHERE id = $1 AND user_id = $2 RETURNING 1`,
      [id, userId],
    );
    if (deleted.length === 0) throw new EndpointNotFoundError();
  }
}
