import { setTimeout as sleep } from 'node:timers/promises';
import { PaymentProvider, TransientPaymentError, type ChargeOutcome, type ChargeRequest } from './payment-provider';

export interface SimulatedPaymentOptions {
  latencyMs: number;
  /** Probability that a call fails transiently. */
  failureRate: number;
  /** Probability that a call that did not fail is declined. */
  declineRate: number;
  /** The first N calls for each payment fail transiently, whatever the rates say. */
  failFirst: number;
  random?: () => number;
}

/** A payment provider that charges nobody: it waits, then fails, declines or succeeds by chance. */
export class SimulatedPaymentProvider extends PaymentProvider {
  /** Calls made so far per payment, kept only while `failFirst` still applies to it. */
  private readonly calls = new Map<string, number>();

  constructor(private readonly options: SimulatedPaymentOptions) {
    super();
  }

  async charge({ paymentId }: ChargeRequest, signal: AbortSignal): Promise<ChargeOutcome> {
    const { latencyMs, failureRate, declineRate, failFirst, random = Math.random } = this.options;
    if (latencyMs > 0) await sleep(latencyMs, undefined, { signal });
    signal.throwIfAborted();

    const call = (this.calls.get(paymentId) ?? 0) + 1;
    if (call <= failFirst) {
      this.calls.set(paymentId, call);
      throw new TransientPaymentError(`simulated outage (call ${call} of the first ${failFirst} that fail)`);
    }
    this.calls.delete(paymentId);
    if (random() < failureRate) throw new TransientPaymentError('simulated outage');
    if (random() < declineRate) return { outcome: 'declined', reason: 'declined' };
    return { outcome: 'succeeded' };
  }
}
