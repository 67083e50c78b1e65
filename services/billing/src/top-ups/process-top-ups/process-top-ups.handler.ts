import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '@conveyor/config';
import { OutboxWriter } from '@conveyor/outbox';
import { Attr, tracer } from '@conveyor/tracing';
import { SpanStatusCode } from '@opentelemetry/api';
import { DataSource } from 'typeorm';
import type { BillingConfig } from '../../billing.config';
import { PaymentProvider, type ChargeOutcome } from '../payment-provider';
import { retryDelayMs } from '../retry-delay';
import { claimDuePayments, rescheduleAttempt, type ClaimedPayment } from './payment-attempts';
import { recordFailure, recordSuccess } from './record-payment-outcome';

type Settings = Pick<
  BillingConfig,
  'PAYMENT_MAX_ATTEMPTS' | 'PAYMENT_RETRY_BASE_MS' | 'PAYMENT_RETRY_MAX_MS' | 'PAYMENT_ATTEMPT_TIMEOUT_MS' | 'PAYMENT_BATCH_SIZE'
>;

/** Extra lease beyond the call's own timeout, for recording its outcome. */
const LEASE_MARGIN_MS = 5_000;
const REASON = /^[a-z][a-z0-9_]*$/;

/**
 * One pass over the due top-ups: claim a batch, call the provider for each (concurrently),
 * and record what it said. Transient failures are retried later with exponential backoff and
 * jitter until PAYMENT_MAX_ATTEMPTS calls were made; a decline is final.
 */
@Injectable()
export class ProcessTopUpsHandler {
  private readonly logger = new Logger(ProcessTopUpsHandler.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly provider: PaymentProvider,
    @Inject(APP_CONFIG) private readonly settings: Settings,
  ) {}

  /** Returns how many payments it claimed. `stop` aborts calls in flight (shutdown). */
  async runOnce(stop: AbortSignal): Promise<number> {
    if (stop.aborted) return 0;
    const lease = this.settings.PAYMENT_ATTEMPT_TIMEOUT_MS + LEASE_MARGIN_MS;
    const claimed = await claimDuePayments(this.dataSource, this.settings.PAYMENT_BATCH_SIZE, lease);
    await Promise.all(claimed.map((payment) => this.traced(payment, stop)));
    return claimed.length;
  }

  private traced(payment: ClaimedPayment, stop: AbortSignal): Promise<void> {
    return tracer().startActiveSpan('charge top-up', { attributes: { [Attr.userId]: payment.userId } }, async (span) => {
      try {
        await this.attempt(payment, stop);
      } catch (error) {
        // The payment stays pending; its lease runs out and another pass tries again.
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR });
        this.logger.error(`Recording the outcome of top-up ${payment.id} failed: ${(error as Error).message}`);
      } finally {
        span.end();
      }
    });
  }

  private async attempt(payment: ClaimedPayment, stop: AbortSignal): Promise<void> {
    const max = this.settings.PAYMENT_MAX_ATTEMPTS;
    if (payment.attempts > max) {
      // Only after an instance died during the last allowed call: no call is made this time.
      return this.giveUp({ ...payment, attempts: max }, 'provider_unavailable', 'attempts exhausted');
    }
    let outcome: ChargeOutcome;
    try {
      outcome = await this.provider.charge(
        { paymentId: payment.id, userId: payment.userId, credits: payment.credits },
        AbortSignal.any([stop, AbortSignal.timeout(this.settings.PAYMENT_ATTEMPT_TIMEOUT_MS)]),
      );
    } catch (error) {
      return this.afterTransientFailure(payment, stop, describe(error));
    }
    if (outcome.outcome === 'succeeded') {
      await this.dataSource.transaction((manager) => recordSuccess(manager, this.outbox, payment));
      return;
    }
    const reason = REASON.test(outcome.reason) ? outcome.reason : 'declined';
    await this.giveUp(payment, reason, `declined by the provider: ${outcome.reason}`);
  }

  private async afterTransientFailure(payment: ClaimedPayment, stop: AbortSignal, error: string): Promise<void> {
    if (stop.aborted) {
      // Shutting down: make the payment due again at once, for whichever instance runs next.
      const interrupted = { delayMs: 0, error: 'interrupted by shutdown', interrupted: true };
      await this.dataSource.transaction((manager) => rescheduleAttempt(manager, payment, interrupted));
      return;
    }
    if (payment.attempts >= this.settings.PAYMENT_MAX_ATTEMPTS) {
      return this.giveUp(payment, 'provider_unavailable', error);
    }
    const delay = retryDelayMs(payment.attempts, this.settings.PAYMENT_RETRY_BASE_MS, this.settings.PAYMENT_RETRY_MAX_MS);
    this.logger.warn(`Top-up ${payment.id}: call ${payment.attempts} failed (${error}); next try in ${delay} ms`);
    await this.dataSource.transaction((manager) => rescheduleAttempt(manager, payment, { delayMs: delay, error }));
  }

  private async giveUp(payment: ClaimedPayment, reason: string, error: string): Promise<void> {
    await this.dataSource.transaction((manager) => recordFailure(manager, this.outbox, payment, reason, error));
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
