/** What billing asks a payment provider to charge. `paymentId` is the provider's idempotency key. */
export interface ChargeRequest {
  paymentId: string;
  userId: string;
  credits: number;
}

export type ChargeOutcome = { outcome: 'succeeded' } | { outcome: 'declined'; reason: string };

/** A failure worth retrying: the provider was unreachable, timed out or asked us to come back. */
export class TransientPaymentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * The port every payment provider adapter implements. `charge` resolves with the provider's
 * final answer, or throws TransientPaymentError (or anything else, treated the same) when it
 * should be tried again. It must stop when `signal` aborts. Calls for one payment may repeat
 * (retries, a crashed instance), so an adapter passes `paymentId` on as the idempotency key.
 */
export abstract class PaymentProvider {
  abstract charge(request: ChargeRequest, signal: AbortSignal): Promise<ChargeOutcome>;
}
