import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '@conveyor/config';
import { ApiKeyUsedV1, createEvent } from '@conveyor/contracts';
import { OutboxWriter } from '@conveyor/outbox';
import { PgListener, queryRows } from '@conveyor/persistence';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { JobsConfig } from '../jobs.config';
import { JOBS_SOURCE } from '../jobs/job-facts';
import { ApiKeyCache, type KeyPrincipal } from './api-key-cache';
import { recordApiKeyLookup } from './api-key-metrics';
import type { ClientPrincipal } from './client-principal';

/** Auth issues `ck_live_` + 32 random bytes in base62 (43 characters); some slack either way. */
const API_KEY_FORMAT = /^ck_live_[0-9A-Za-z]{32,128}$/;

/** Sent (payload: the key's hash) by a trigger on `jobs.api_keys` when a key's answer changes. */
export const API_KEYS_CHANGED_CHANNEL = 'jobs_api_keys_changed';

/** A key's last use is written at most this often. */
const USAGE_INTERVAL_SECONDS = 60;

/** 10,000 keys take a few MB; the maximum age bounds the harm of a notification that never came. */
const CACHE_LIMITS = { maxEntries: 10_000, maxAgeMs: 60_000, usageIntervalMs: USAGE_INTERVAL_SECONDS * 1000 };

interface KeyRow {
  key_id: string;
  user_id: string;
  scopes: string[];
  /** 0 when the key's use is due to be recorded now. */
  usage_due_in_ms: number;
}

/**
 * Checks API keys against the service's own projection of auth's keys, by the SHA-256 of the
 * key. Keys found are cached in the process (see ApiKeyCache); every change to a key's row,
 * made by whichever instance, is announced by a trigger on API_KEYS_CHANGED_CHANNEL and drops
 * the key here, so a revoke applies as soon as its event has, give or take the milliseconds a
 * notification takes. While the listener is disconnected nothing is cached and every key is
 * read from the database. A `worker` process serves no API and keeps no listener.
 */
@Injectable()
export class ApiKeyAuthenticator implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ApiKeyAuthenticator.name);
  private readonly cache = new ApiKeyCache(CACHE_LIMITS);
  private readonly listener: PgListener;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    @Inject(APP_CONFIG) private readonly config: Pick<JobsConfig, 'DATABASE_URL' | 'JOBS_ROLE'>,
  ) {
    this.listener = new PgListener({
      url: config.DATABASE_URL,
      channels: [API_KEYS_CHANGED_CHANNEL],
      applicationName: 'jobs-api-keys-listener',
      onNotification: (_channel, hash) => {
        if (hash) this.cache.invalidate(hash);
      },
      onConnected: () => this.cache.enable(),
      onDisconnected: () => this.cache.disable(),
    });
  }

  onApplicationBootstrap(): void {
    if (this.config.JOBS_ROLE !== 'worker') this.listener.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.cache.disable();
    await this.listener.stop();
  }

  /** The key's owner and scopes, or undefined for a malformed, unknown or revoked key. */
  async authenticate(key: string): Promise<ClientPrincipal | undefined> {
    if (!API_KEY_FORMAT.test(key)) return undefined;
    const hash = createHash('sha256').update(key).digest('hex');
    const hit = this.cache.get(hash);
    if (!hit) return this.lookUp(hash);
    recordApiKeyLookup('hit');
    if (hit.recordUse) await this.recordUse(hit.principal.keyId);
    return hit.principal;
  }

  private async lookUp(hash: string): Promise<KeyPrincipal | undefined> {
    // Taken before the read: a change announced while it runs keeps its answer out of the cache.
    const ticket = this.cache.ticket();
    recordApiKeyLookup(ticket === undefined ? 'off' : 'miss');
    // GREATEST skips NULL, so a key never used is due at once.
    const [row] = await this.dataSource.query<KeyRow[]>(
      `SELECT key_id, user_id, scopes,
              GREATEST(EXTRACT(EPOCH FROM last_used_at + make_interval(secs => $2) - now()) * 1000, 0)::float8 AS usage_due_in_ms
         FROM jobs.api_keys
        WHERE key_hash = $1 AND revoked_at IS NULL`,
      [hash, USAGE_INTERVAL_SECONDS],
    );
    if (!row) return undefined;
    const principal = { userId: row.user_id, keyId: row.key_id, scopes: row.scopes };
    const usageDue = row.usage_due_in_ms === 0;
    if (ticket !== undefined) this.cache.fill(ticket, hash, principal, usageDue ? CACHE_LIMITS.usageIntervalMs : row.usage_due_in_ms);
    if (usageDue) await this.recordUse(row.key_id);
    return principal;
  }

  /**
   * Last use is written at most once a minute per key, and only the instance whose guarded
   * UPDATE wins emits `jobs.api_key.used.v1`, in the same transaction. A failure here is
   * logged and does not fail the request the key was presented with; for a cached key, the
   * next try comes a minute later.
   */
  private async recordUse(keyId: string): Promise<void> {
    try {
      await this.dataSource.transaction(async (manager) => {
        const used = await queryRows<{ user_id: string; last_used_at: Date }>(
          manager,
          `UPDATE jobs.api_keys SET last_used_at = now()
            WHERE key_id = $1 AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => $2))
            RETURNING user_id, last_used_at`,
          [keyId, USAGE_INTERVAL_SECONDS],
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
