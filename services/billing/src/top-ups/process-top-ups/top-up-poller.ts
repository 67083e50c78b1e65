import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { APP_CONFIG } from '@conveyor/config';
import type { BillingConfig } from '../../billing.config';
import { ProcessTopUpsHandler } from './process-top-ups.handler';

/**
 * Runs the top-up processor for the lifetime of the app: a pass every
 * PAYMENT_POLL_INTERVAL_MS, or straight away again after a full batch. Several instances
 * may poll the same table; claims never overlap.
 */
@Injectable()
export class TopUpPoller implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(TopUpPoller.name);
  private readonly stop = new AbortController();
  private timer?: NodeJS.Timeout;
  private pass: Promise<void> = Promise.resolve();

  constructor(
    private readonly handler: ProcessTopUpsHandler,
    @Inject(APP_CONFIG) private readonly settings: Pick<BillingConfig, 'PAYMENT_POLL_INTERVAL_MS' | 'PAYMENT_BATCH_SIZE'>,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  /**
   * Stops here rather than in onApplicationShutdown alone: the database pool is closed in
   * another module's onApplicationShutdown, and a pass cut short still writes to it (it makes
   * interrupted payments due again at once).
   */
  async beforeApplicationShutdown(): Promise<void> {
    await this.halt();
  }

  /** Idempotent; normally beforeApplicationShutdown has stopped everything already. */
  async onApplicationShutdown(): Promise<void> {
    await this.halt();
  }

  private async halt(): Promise<void> {
    this.stop.abort();
    clearTimeout(this.timer);
    await this.pass;
  }

  private schedule(delayMs: number): void {
    if (this.stop.signal.aborted) return;
    this.timer = setTimeout(() => {
      this.pass = this.runPass();
    }, delayMs);
  }

  private async runPass(): Promise<void> {
    let claimed = 0;
    try {
      claimed = await this.handler.runOnce(this.stop.signal);
    } catch (error) {
      this.logger.warn(`Top-up pass failed: ${(error as Error).message}`);
    }
    this.schedule(claimed >= this.settings.PAYMENT_BATCH_SIZE ? 0 : this.settings.PAYMENT_POLL_INTERVAL_MS);
  }
}
