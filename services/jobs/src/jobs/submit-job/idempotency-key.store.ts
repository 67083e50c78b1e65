import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '@conveyor/config';
import { queryRows } from '@conveyor/persistence';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import type { JobsConfig } from '../../jobs.config';
import { IdempotencyKeyInFlightError, IdempotencyKeyReusedError } from '../jobs.errors';
import type { IdempotencyRequest } from './idempotency-key';

/** The answer first given to a request with an Idempotency-Key, replayed to its retries. */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export type IdempotencyClaim = { outcome: 'claimed'; claimId: string } | { outcome: 'replay'; response: StoredResponse };

/** An in-flight claim older than this belongs to a request whose process died; it may be taken over. */
const ABANDONED_AFTER = '60 seconds';
const PRUNE_EVERY_MS = 60_000;

interface KeyRow {
  request_hash: string;
  state: 'in_flight' | 'completed';
  response_status: number | null;
  response_headers: Record<string, string> | null;
  response_body: unknown;
}

/**
 * Idempotency keys with the semantics of the IETF draft and of Stripe, per user:
 * 1. `claim` inserts the key as `in_flight` in its own statement; the primary key decides
 *    the one winner among concurrent requests. An expired row, or an in-flight one that was
 *    abandoned, counts as absent and is taken over.
 * 2. The winner creates the job and `complete`s the key in the job's transaction, so the key
 *    is completed exactly when the job exists.
 * 3. If the winner fails, `release` deletes its claim so a retry can proceed.
 * Losers get the stored response (same body), 422 (other body) or 409 (still in flight).
 */
@Injectable()
export class IdempotencyKeyStore {
  private readonly logger = new Logger(IdempotencyKeyStore.name);
  private lastPrunedAt = 0;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: Pick<JobsConfig, 'IDEMPOTENCY_TTL_HOURS'>,
  ) {}

  async claim(userId: string, { key, fingerprint }: IdempotencyRequest): Promise<IdempotencyClaim> {
    await this.pruneNowAndThen();
    // A row can vanish between our insert and our read (its holder failed and released it):
    // then try again; a key that keeps changing hands that fast is reported as in flight.
    for (let attempt = 0; attempt < 3; attempt++) {
      const claimId = randomUUID();
      const won = await this.dataSource.query<unknown[]>(
        `INSERT INTO jobs.idempotency_keys AS k (user_id, key, request_hash, state, claim_id, expires_at)
         VALUES ($1, $2, $3, 'in_flight', $4, now() + $5::float8 * interval '1 hour')
         ON CONFLICT (user_id, key) DO UPDATE
            SET request_hash = EXCLUDED.request_hash, state = 'in_flight', claim_id = EXCLUDED.claim_id,
                response_status = NULL, response_headers = NULL, response_body = NULL,
                created_at = now(), expires_at = EXCLUDED.expires_at
          WHERE k.expires_at <= now()
             OR (k.state = 'in_flight' AND k.created_at < now() - interval '${ABANDONED_AFTER}')
         RETURNING claim_id`,
        [userId, key, fingerprint, claimId, this.config.IDEMPOTENCY_TTL_HOURS],
      );
      if (won.length > 0) return { outcome: 'claimed', claimId };

      const [row] = await this.dataSource.query<KeyRow[]>(
        `SELECT request_hash, state, response_status, response_headers, response_body
           FROM jobs.idempotency_keys
          WHERE user_id = $1 AND key = $2 AND expires_at > now()`,
        [userId, key],
      );
      if (!row) continue;
      if (row.request_hash !== fingerprint) throw new IdempotencyKeyReusedError();
      if (row.state === 'in_flight') throw new IdempotencyKeyInFlightError();
      return {
        outcome: 'replay',
        response: { status: row.response_status ?? 200, headers: row.response_headers ?? {}, body: row.response_body },
      };
    }
    throw new IdempotencyKeyInFlightError();
  }

  /** Stores the response with the claim, in the transaction that produced it. */
  async complete(
    manager: EntityManager,
    userId: string,
    key: string,
    claimId: string,
    response: StoredResponse,
  ): Promise<void> {
    const completed = await queryRows(
      manager,
      `UPDATE jobs.idempotency_keys
          SET state = 'completed', response_status = $4, response_headers = $5, response_body = $6
        WHERE user_id = $1 AND key = $2 AND claim_id = $3 AND state = 'in_flight'
        RETURNING 1`,
      [userId, key, claimId, response.status, JSON.stringify(response.headers), JSON.stringify(response.body)],
    );
    // Taken over as abandoned while we were slow: the other request now owns the key, so
    // this one must not create a second job (throwing rolls our transaction back).
    if (completed.length === 0) throw new IdempotencyKeyInFlightError();
  }

  /** Gives up a claim whose request failed, so that a retry can run. */
  async release(userId: string, key: string, claimId: string): Promise<void> {
    await this.dataSource
      .query(
        `DELETE FROM jobs.idempotency_keys
          WHERE user_id = $1 AND key = $2 AND claim_id = $3 AND state = 'in_flight'`,
        [userId, key, claimId],
      )
      .catch((error: Error) => this.logger.warn(`Could not release an Idempotency-Key claim: ${error.message}`));
  }

  /** Expired keys are ignored when read; this deletes them in small batches, once a minute at most. */
  private async pruneNowAndThen(): Promise<void> {
    if (Date.now() - this.lastPrunedAt < PRUNE_EVERY_MS) return;
    this.lastPrunedAt = Date.now();
    await this.dataSource
      .query(
        `DELETE FROM jobs.idempotency_keys
          WHERE ctid IN (SELECT ctid FROM jobs.idempotency_keys WHERE expires_at <= now() LIMIT 500)`,
      )
      .catch((error: Error) => this.logger.warn(`Could not prune expired Idempotency-Keys: ${error.message}`));
  }
}
