import { dataSourceOptions } from '@conveyor/persistence';
import { waitFor } from '@conveyor/testing';
import { DataSource } from 'typeorm';
import { OutboxWriter } from '@conveyor/outbox';
import type { PaymentProvider } from '../src/top-ups/payment-provider';
import { claimDuePayments } from '../src/top-ups/process-top-ups/payment-attempts';
import { ProcessTopUpsHandler } from '../src/top-ups/process-top-ups/process-top-ups.handler';
import {
  balancesOf,
  emitted,
  ledgerOf,
  openAccount,
  requestTopUp,
  settledTopUp,
  startBilling,
  type BillingUnderTest,
} from './billing-spec-support';

describe('the top-up processor when payments fail (real Postgres and RabbitMQ)', () => {
  describe('a provider that keeps failing transiently', () => {
    let billing: BillingUnderTest;

    beforeAll(async () => {
      billing = await startBilling({ PAYMENT_SIMULATED_FAIL_FIRST: '1000', PAYMENT_MAX_ATTEMPTS: '3' });
    });
    afterAll(() => billing?.close());

    it('gives up after PAYMENT_MAX_ATTEMPTS calls, grants nothing and emits billing.payment.failed.v1 once', async () => {
      const userId = await openAccount(billing);
      const id = String((await requestTopUp(billing, userId, { credits: 50 })).body['id']);

      const topUp = await settledTopUp(billing, userId, id);

      expect(topUp).toMatchObject({ status: 'failed', attempts: 3, failureReason: 'provider_unavailable' });
      expect(await emitted(billing, 'billing.payment.failed.v1', id)).toEqual([
        {
          type: 'billing.payment.failed.v1',
          subject: id,
          data: { paymentId: id, userId, credits: 50, attempts: 3, reason: 'provider_unavailable', failedAt: expect.any(String) },
        },
      ]);
      expect(await emitted(billing, 'billing.payment.succeeded.v1', id)).toEqual([]);
      expect((await ledgerOf(billing, userId)).map((e) => e.kind)).toEqual(['grant']);
      const [row] = await billing.service.sql<{ last_error: string }>('SELECT last_error FROM billing.payments WHERE id = $1', [
        id,
      ]);
      expect(row.last_error).toMatch(/TransientPaymentError: simulated outage/);
    });
  });

  describe('a provider that declines', () => {
    let billing: BillingUnderTest;

    beforeAll(async () => {
      billing = await startBilling({ PAYMENT_SIMULATED_DECLINE_RATE: '1' });
    });
    afterAll(() => billing?.close());

    it('fails the payment after one call, without retrying, and grants nothing', async () => {
      const userId = await openAccount(billing);
      const id = String((await requestTopUp(billing, userId, { credits: 50 })).body['id']);

      const topUp = await settledTopUp(billing, userId, id);

      expect(topUp).toMatchObject({ status: 'failed', attempts: 1, failureReason: 'declined' });
      expect((await emitted(billing, 'billing.payment.failed.v1', id)).map((e) => e.data['reason'])).toEqual(['declined']);
      expect(await balancesOf(billing, userId)).toMatchObject({ available: 10, ledger_available: 10 });
    });
  });

  describe('a slow provider', () => {
    let billing: BillingUnderTest;
    let closed = false;

    beforeAll(async () => {
      billing = await startBilling({ PAYMENT_SIMULATED_LATENCY_MS: '30000', PAYMENT_ATTEMPT_TIMEOUT_MS: '60000' });
    });
    afterAll(() => (closed ? undefined : billing?.close()));

    it('lets several processors claim due payments at once without ever claiming one twice', async () => {
      // given 40 due payments (the service's own processor is busy with a 30 s call meanwhile)
      const userId = await openAccount(billing);
      const busy = String((await requestTopUp(billing, userId, { credits: 1 })).body['id']);
      await callStarted(billing, busy);
      await insertDuePayments(billing, userId, 40);
      const processors = await Promise.all([1, 2, 3].map(() => connectAsBilling(billing)));

      try {
        // when three processors claim at the same moment
        const claims = await Promise.all(processors.map((dataSource) => claimDuePayments(dataSource, 25, 60_000)));

        // then every due payment went to exactly one of them
        const ids = claims.flat().map((payment) => payment.id);
        expect(ids).toHaveLength(40);
        expect(new Set(ids).size).toBe(40);
        expect(ids).not.toContain(busy);
      } finally {
        await Promise.all(processors.map((dataSource) => dataSource.destroy()));
      }
    });

    it('makes a payment whose call a shutdown interrupted due again at once, without counting the call', async () => {
      // given a processor whose provider never answers, in the middle of a call
      const userId = await openAccount(billing);
      const [{ id }] = await insertDuePayments(billing, userId, 1);
      const dataSource = await connectAsBilling(billing);
      const hanging: PaymentProvider = {
        charge: (_, signal) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
      };
      const processor = new ProcessTopUpsHandler(dataSource, new OutboxWriter('billing'), hanging, billing.service.config);
      const stop = new AbortController();
      const pass = processor.runOnce(stop.signal);
      await callStarted(billing, id);

      try {
        // when the service shuts down
        stop.abort();

        // then
        expect(await pass).toBe(1);
        const [row] = await billing.service.sql(
          'SELECT status, attempts, last_error, next_attempt_at <= now() AS due FROM billing.payments WHERE id = $1',
          [id],
        );
        expect(row).toEqual({ status: 'pending', attempts: 0, last_error: 'interrupted by shutdown', due: true });
      } finally {
        await dataSource.destroy();
      }
    });

    it('stops at once on shutdown, interrupting the call in flight', async () => {
      const started = Date.now();

      closed = true;
      await billing.close();

      expect(Date.now() - started).toBeLessThan(5_000);
    });
  });
});

/** A connection pool as the billing role, like another instance of the service would have. */
function connectAsBilling(billing: BillingUnderTest): Promise<DataSource> {
  const url = billing.service.config.DATABASE_URL;
  const options = dataSourceOptions({ url, schema: 'billing', applicationName: 'billing-spec-processor', poolSize: 2 });
  return new DataSource(options).initialize();
}

/** Waits until a processor has claimed the payment for its first call. */
const callStarted = (billing: BillingUnderTest, id: string) =>
  waitFor(async () => (await billing.service.sql('SELECT 1 FROM billing.payments WHERE id = $1 AND attempts = 1', [id])).length, {
    description: `the first call for payment ${id} to start`,
  });

/** Pending payments written directly, due now. */
function insertDuePayments(billing: BillingUnderTest, userId: string, count: number) {
  return billing.service.sql<{ id: string }>(
    `INSERT INTO billing.payments (id, user_id, credits, idempotency_key, request_hash)
     SELECT gen_random_uuid(), $1, 1, 'direct-' || gen_random_uuid(), 'hash' FROM generate_series(1, $2::int) RETURNING id`,
    [userId, count],
  );
}
