import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG } from '@conveyor/config';
import { AccessTokenKeys } from '@conveyor/platform';
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { AuthConfig } from '../auth.config';
import { KeyEncryption } from './key-encryption';
import { insertNewKey, publishedKeys, type StoredKey } from './signing-key.repository';

/** How long one instance reuses what it read; a rotation made elsewhere shows within this time. */
const CACHE_MS = 5_000;

interface Snapshot {
  keys: StoredKey[];
  publicPems: Map<string, string>;
  readAt: number;
}

/**
 * auth's signing keys, from its own table: the newest signs, the newest two verify and are
 * published. Auth verifies its own tokens from here rather than from its JWKS endpoint.
 */
@Injectable()
export class SigningKeys extends AccessTokenKeys implements OnApplicationBootstrap {
  private readonly encryption: KeyEncryption;
  private snapshot: Snapshot | undefined;
  private signer: { kid: string; privateKey: KeyObject } | undefined;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: Pick<AuthConfig, 'SIGNING_KEY_ENCRYPTION_KEY'>,
  ) {
    super();
    this.encryption = new KeyEncryption(config.SIGNING_KEY_ENCRYPTION_KEY);
  }

  /** The first start creates the first key; instances starting together take turns (advisory lock). */
  async onApplicationBootstrap(): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('auth.signing_keys'))`);
      if ((await publishedKeys(manager)).length === 0) await insertNewKey(manager, this.encryption);
    });
  }

  async find(kid: string): Promise<string | undefined> {
    return (await this.read()).publicPems.get(kid);
  }

  /** The public keys to publish, newest first. */
  async jwks(): Promise<(JsonWebKey & { kid: string; alg: string; use: string })[]> {
    return (await this.read()).keys.map((k) => ({ ...k.publicJwk, kid: k.kid, alg: 'ES256', use: 'sig' }));
  }

  /** The key to sign with now: the newest. */
  async current(): Promise<{ kid: string; privateKey: KeyObject }> {
    const [newest] = (await this.read()).keys;
    if (!newest) throw new Error('no signing key: auth has not started');
    if (this.signer?.kid !== newest.kid) this.signer = { kid: newest.kid, privateKey: this.encryption.decrypt(newest.privateKeyEncrypted) };
    return this.signer;
  }

  /** Adds a new current key; the old current stays published, so its tokens keep working. */
  async rotate(): Promise<string> {
    const kid = await insertNewKey(this.dataSource.manager, this.encryption);
    this.snapshot = undefined;
    return kid;
  }

  private async read(): Promise<Snapshot> {
    if (this.snapshot && Date.now() - this.snapshot.readAt < CACHE_MS) return this.snapshot;
    const keys = await publishedKeys(this.dataSource.manager);
    const publicPems = new Map(
      keys.map((k) => [k.kid, createPublicKey({ key: k.publicJwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString()]),
    );
    this.snapshot = { keys, publicPems, readAt: Date.now() };
    return this.snapshot;
  }
}
