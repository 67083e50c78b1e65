import { Injectable, Logger } from '@nestjs/common';
import { ApiKeyUsedV1, createEvent } from '@conveyor/contracts';
import { OutboxWriter } from '@conveyor/outbox';
import { queryRows } from '@conveyor/persistence';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { ClientPrincipal } from './client-principal';
import { JOBS_SOURCE } from '../jobs/job-facts';

/** Auth issues `ck_live_` + 32 random bytes in base62 (43 characters); some slack either way. */
const API_KEY_FORMAT = /^ck_live_[0-9A-Za-z]{32,128}$/;

interface KeyRow {
  key_id: string;
  user_id: string;
  scopes: string[];
  usage_due: boolean;
}

/**
 * Checks API keys against the service's own projection of auth's keys: the SHA-256 of the
 * key, looked up on every request (no cache), so a revoke applies as soon as its event has.
 */
@Injectable()
export class ApiKeyAuthenticator {
  private readonly logger = new Logger(ApiKeyAuthenticator.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
  ) {}

  /** The key's owner and scopes, or undefined for a malformed, unknown or revoked key. */
  async authenticate(key: string): Promise<ClientPrincipal | undefined> {
    if (!API_KEY_FORMAT.test(key)) return undefined;
    const hash = createHash('sha256').update(key).digest('hex');
    const [row] = await this.dataSource.query<KeyRow[]>(
      `SELECT key_id, user_id, scopes,
              (last_used_at IS NULL OR last_used_at < now() - interval '1 minute') AS usage_due
         FROM jobs.api_keys
        WHERE key_hash = $1 AND revoked_at IS NULL`,
      [hash],
    );
    if (!row) return undefined;
    if (row.usage_due) await this.recordUse(row.key_id);
    return { userId: row.user_id, keyId: row.key_id, scopes: row.scopes };
  }

  /**
   * Last use is written at most once a minute per key, and only the instance whose guarded
   * UPDATE wins emits `jobs.api_key.used.v1`, in the same transaction. A failure here is
   * logged and does not fail the request the key was presented with.
   */
  private async recordUse(keyId: string): Promise<void> {
    try {
      await this.dataSource.transaction(async (manager) => {
        const used = await queryRows<{ user_id: string; last_used_at: Date }>(
          manager,
          `UPDATE jobs.api_keys SET last_used_at = now()
            WHERE key_id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
            RETURNING user_id, last_used_at`,
          [keyId],
        );
        if (used.length === 0) return;
        const [{ user_id: userId, last_used_at: usedAt }] = used;
        await this.outbox.add(
          createEvent(ApiKeyUsedV1, {
            source: JOBS_SOURCE,
            subject: keyId,
            data: { keyId, userId, usedAt: usedAt.toISOString() },
          }),
          manager,
        );
      });
    } catch (error) {
      this.logger.warn(`Could not record the use of API key ${keyId}: ${(error as Error).message}`);
    }
  }
}
