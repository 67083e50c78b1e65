import { randomUUID } from 'node:crypto';
import type { HttpTransport } from './http-transport';
import type { Balance, CreditGrant, LedgerEntry, Page, PlanChange, TopUp } from './types';

/**
 * `billing`: credits. Every route takes the signed-in session (not an API key); `changePlan` and
 * `grantCredits` only an administrator's.
 */
export class BillingClient {
  constructor(
    private readonly http: HttpTransport,
    private readonly baseUrl: string,
  ) {}

  balance(): Promise<Balance> {
    return this.http.json(`${this.baseUrl}/v1/billing/balance`, { credential: 'session' });
  }

  ledger(query: { limit?: number; cursor?: string } = {}): Promise<Page<LedgerEntry>> {
    return this.http.json(`${this.baseUrl}/v1/billing/ledger`, { query, credential: 'session' });
  }

  topUp(credits: number, idempotencyKey: string = randomUUID()): Promise<TopUp> {
    return this.http.json(`${this.baseUrl}/v1/billing/top-ups`, {
      body: { credits },
      headers: { 'idempotency-key': idempotencyKey },
      credential: 'session',
    });
  }

  getTopUp(id: string): Promise<TopUp> {
    return this.http.json(`${this.baseUrl}/v1/billing/top-ups/${encodeURIComponent(id)}`, { credential: 'session' });
  }

  /** Administrators: moves a client's account to another plan (`basic`, `pro`). */
  changePlan(userId: string, plan: string): Promise<PlanChange> {
    return this.http.json(`${this.baseUrl}/v1/billing/accounts/${encodeURIComponent(userId)}/plan`, { method: 'PUT', body: { plan }, credential: 'session' });
  }

  /** Administrators: adds credits (1–1,000,000 at a time) to a client's account. */
  grantCredits(userId: string, credits: number, note?: string): Promise<CreditGrant> {
    return this.http.json(`${this.baseUrl}/v1/billing/accounts/${encodeURIComponent(userId)}/grants`, { body: { credits, note }, credential: 'session' });
  }
}
