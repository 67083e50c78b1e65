import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '@conveyor/config';
import { DataSource } from 'typeorm';
import type { AuthConfig } from '../../auth.config';
import { KeyEncryption } from '../key-encryption';
import { insertNewKey } from '../signing-key.repository';

/**
 * Rotates the signing key once the newest one is older than SIGNING_KEY_MAX_AGE_SECONDS. Every
 * instance checks now and then; the advisory lock and the age test inside it make one of them
 * add the key and the others see it is fresh. The rotation itself is the same as `rotate-keys`.
 */
@Injectable()
export class ScheduledRotation implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ScheduledRotation.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG)
    private readonly config: Pick<AuthConfig, 'SIGNING_KEY_MAX_AGE_SECONDS' | 'SIGNING_KEY_CHECK_INTERVAL_MS' | 'SIGNING_KEY_ENCRYPTION_KEY'>,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.SIGNING_KEY_MAX_AGE_SECONDS === 0) return;
    this.timer = setInterval(() => {
      this.running ??= this.rotateIfDue()
        .then(() => undefined)
        .catch((error: Error) => this.logger.warn(`signing-key age check failed: ${error.message}`))
        .finally(() => (this.running = undefined));
    }, this.config.SIGNING_KEY_CHECK_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** The new key's id when this call rotated, else undefined. */
  async rotateIfDue(): Promise<string | undefined> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('auth.signing_keys'))`);
      const [{ due }] = await manager.query<{ due: boolean }[]>(
        `SELECT coalesce(max(created_at) < now() - make_interval(secs => $1), true) AS due FROM auth.signing_keys`,
        [this.config.SIGNING_KEY_MAX_AGE_SECONDS],
      );
      if (!due) return undefined;
      const kid = await insertNewKey(manager, new KeyEncryption(this.config.SIGNING_KEY_ENCRYPTION_KEY));
      this.logger.log(`signing key older than ${this.config.SIGNING_KEY_MAX_AGE_SECONDS} s: rotated to ${kid}`);
      return kid;
    });
  }
}
