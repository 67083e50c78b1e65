import { randomUUID } from 'node:crypto';
import type { HttpTransport } from './http-transport';
import type { Balance, LedgerEntry, Page, TopUp } from './types';

/** `billing`: credits. Every route takes the signed-in session (not an API key). */
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
}
