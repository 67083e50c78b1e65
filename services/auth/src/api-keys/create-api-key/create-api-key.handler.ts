import { Injectable } from '@nestjs/common';
import { ApiKeyCreatedV1, createEvent } from '@conveyor/contracts';
import { OutboxWriter } from '@conveyor/outbox';
import { randomUUID } from 'node:crypto';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import { AccountNotFoundError } from '../../accounts/accounts.errors';
import { Credential } from '../../accounts/credential.entity';
import { ApiKey } from '../api-key.entity';
import { MAX_ACTIVE_API_KEYS } from '../api-key.rules';
import { generateApiKey } from '../api-key-secret';
import { ApiKeyLimitError } from '../api-keys.errors';
import type { CreateApiKeyRequest } from './create-api-key.request';

export interface CreatedApiKey {
  apiKey: ApiKey;
  /** The whole key; the caller shows it once and forgets it. */
  key: string;
}

/** Stores a new key's hash and its `auth.api_key.created.v1` event in one transaction. */
@Injectable()
export class CreateApiKeyHandler {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
  ) {}

  async execute(userId: string, { name, scopes }: CreateApiKeyRequest): Promise<CreatedApiKey> {
    const { key, prefix, keyHash } = generateApiKey();
    const apiKey = Object.assign(new ApiKey(), {
      id: randomUUID(),
      userId,
      name,
      prefix,
      keyHash,
      scopes,
      createdAt: new Date(),
      lastUsedAt: null,
      revokedAt: null,
    });
    await this.dataSource.transaction(async (manager) => {
      await this.lockOwner(manager, userId);
      const active = await manager.countBy(ApiKey, { userId, revokedAt: IsNull() });
      if (active >= MAX_ACTIVE_API_KEYS) throw new ApiKeyLimitError();
      await manager.insert(ApiKey, apiKey);
      await this.outbox.add(
        createEvent(ApiKeyCreatedV1, {
          source: '/conveyor/auth',
          subject: apiKey.id,
          data: {
            keyId: apiKey.id,
            userId,
            name,
            prefix,
            keyHash,
            scopes,
            createdAt: apiKey.createdAt.toISOString(),
          },
        }),
        manager,
      );
    });
    return { apiKey, key };
  }

  /**
   * Serialises key creation per account, so concurrent requests cannot all pass the count
   * and end up over the limit. `FOR NO KEY UPDATE` conflicts only with itself (and stronger
   * locks), so it does not hold up anything else that reads or references the account.
   */
  private async lockOwner(manager: EntityManager, userId: string): Promise<void> {
    const owner = await manager.findOne(Credential, {
      select: { id: true },
      where: { id: userId, disabledAt: IsNull() },
      lock: { mode: 'for_no_key_update' },
    });
    if (!owner) throw new AccountNotFoundError();
  }
}
