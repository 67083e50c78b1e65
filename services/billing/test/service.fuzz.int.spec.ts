import {
  itFuzzesTheService,
  refusedTokens,
  signAccessToken,
  type FuzzCredentials,
  type FuzzRoute,
} from '@conveyor/service-testing';
import { waitFor } from '@conveyor/testing';
import { randomUUID } from 'node:crypto';
import { openAccount, registration, requestTopUp, startBilling, type BillingUnderTest } from './billing-spec-support';

describe('billing HTTP API and event queue under fuzzing (seeded; FUZZ_RUNS scales it)', () => {
  let billing: BillingUnderTest;
  let credentials: FuzzCredentials;
  let routes: FuzzRoute[];

  beforeAll(async () => {
    billing = await startBilling();
    const userId = await openAccount(billing);
    const other = await openAccount(billing);
    const topUp = await requestTopUp(billing, userId, { credits: 5 });
    credentials = {
      // An admin, so the admin routes are fuzzed past their role check too.
      valid: await signAccessToken({ userId, roles: ['user', 'admin'] }),
      refused: Object.values(await refusedTokens(userId)),
    };
    routes = [
      { method: 'GET', path: '/v1/billing/balance', auth: true },
      { method: 'GET', path: '/v1/billing/ledger', query: { limit: '5' }, auth: true },
      { method: 'POST', path: '/v1/billing/top-ups', body: { credits: 10 }, headers: { 'idempotency-key': randomUUID() }, auth: true },
      { method: 'GET', path: '/v1/billing/top-ups/:id', params: { id: String(topUp.body['id']) }, auth: true },
      { method: 'PUT', path: '/v1/billing/accounts/:userId/plan', params: { userId: other }, body: { plan: 'pro' }, auth: true },
      { method: 'POST', path: '/v1/billing/accounts/:userId/grants', params: { userId: other }, body: { credits: 5, note: 'fuzz' }, auth: true },
    ];
    // The top-up's payment settles before the snapshot is taken.
    await waitFor(async () => (await billing.service.sql(`SELECT 1 FROM billing.payments WHERE status <> 'pending'`)).length === 1, {
      description: 'the top-up to be charged',
    });
  });

  afterAll(() => billing?.close());

  itFuzzesTheService(() => ({
    service: billing.service,
    schema: 'billing',
    routes,
    credentials,
    consumes: ['auth.user.registered.v1', 'users.user.deleted.v1', 'jobs.job.submitted.v1', 'jobs.job.succeeded.v1', 'jobs.job.failed.v1', 'jobs.job.canceled.v1', 'jobs.job.rejected.v1'],
    validEvent: () => registration(randomUUID()),
  }));
});
