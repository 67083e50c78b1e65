import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG } from '@conveyor/config';
import { AccessTokenKeys } from '@conveyor/platform';
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { AuthConfig } from '../auth.config';
import { KeyEncryption } from './key-encryption';
import { currentKeySet, insertNewKey, type KeySet } from './signing-key.repository';

/** How long one instance reuses what it read; a rotation made elsewhere shows within this time. */
const CACHE_MS = 5_000;

interface Snapshot extends KeySet {
  publicPems: Map<string, string>;
  readAt: number;
}

/**
 * auth's signing keys, from its own table (see currentKeySet for which key signs and which are
 * trusted). Auth verifies its own tokens from here rather than from its JWKS endpoint.
 */
@Injectable()
export class SigningKeys extends AccessTokenKeys implements OnApplicationBootstrap {
  private readonly encryption: KeyEncryption;
  private readonly activationSeconds: number;
  private snapshot: Snapshot | undefined;
  private signer: { kid: string; privateKey: KeyObject } | undefined;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: Pick<AuthConfig, 'SIGNING_KEY_ENCRYPTION_KEY' | 'SIGNING_KEY_ACTIVATION_SECONDS'>,
  ) {
    super();
    this.encryption = new KeyEncryption(config.SIGNING_KEY_ENCRYPTION_KEY);
    this.activationSeconds = config.SIGNING_KEY_ACTIVATION_SECONDS;
  }

  /** The first start creates the first key; instances starting together take turns (advisory lock). */
  async onApplicationBootstrap(): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('auth.signing_keys'))`);
      if (!(await currentKeySet(manager, this.activationSeconds))) await insertNewKey(manager, this.encryption);
    });
  }

  async find(kid: string): Promise<string | undefined> {
    return (await this.read())?.publicPems.get(kid);
  }

  /** The public keys to publish, newest first. */
  async jwks(): Promise<(JsonWebKey & { kid: string; alg: string; use: string })[]> {
    return ((await this.read())?.published ?? []).map((k) => ({ ...k.publicJwk, kid: k.kid, alg: 'ES256', use: 'sig' }));
  }

  async current(): Promise<{ kid: string; privateKey: KeyObject }> {
    const signing = (await this.read())?.signing;
    if (!signing) throw new Error('no signing key: auth has not started');
    if (this.signer?.kid !== signing.kid) this.signer = { kid: signing.kid, privateKey: this.encryption.decrypt(signing.privateKeyEncrypted) };
    return this.signer;
  }

  /** Adds a new key: published at once, signing after the activation delay. */
  async rotate(): Promise<string> {
    const kid = await insertNewKey(this.dataSource.manager, this.encryption);
    this.snapshot = undefined;
    return kid;
  }

  private async read(): Promise<Snapshot | undefined> {
    if (this.snapshot && Date.now() - this.snapshot.readAt < CACHE_MS) return this.snapshot;
    const set = await currentKeySet(this.dataSource.manager, this.activationSeconds);
    if (!set) return undefined;
    const publicPems = new Map(
      set.published.map((k) => [k.kid, createPublicKey({ key: k.publicJwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString()]),
    );
    this.snapshot = { ...set, publicPems, readAt: Date.now() };
    return this.snapshot;
  }
}
