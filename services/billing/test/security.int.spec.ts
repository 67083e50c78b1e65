import { notRefused, refusedTokens, signAccessToken, SQL_INJECTION_PROBES } from '@conveyor/service-testing';
import { randomUUID } from 'node:crypto';
import { openAccount, requestTopUp, startBilling, type BillingUnderTest } from './billing-spec-support';

describe('billing security: tenants, tokens, injection', () => {
  let billing: BillingUnderTest;

  beforeAll(async () => {
    billing = await startBilling();
  });

  afterAll(() => billing?.close());

  const request = (method: string, path: string, token: string, body?: unknown, headers?: Record<string, string>) =>
    billing.service.request(method, path, { token, body, headers });

  it("answers 404 to client B's read of client A's top-up and never shows B A's ledger or balance", async () => {
    const [a, b] = [await openAccount(billing), await openAccount(billing)];
    const topUp = await requestTopUp(billing, a, { credits: 7 });
    expect(topUp.status).toBe(202);
    const tokenB = await signAccessToken({ userId: b });
    const reply = await request('GET', `/v1/billing/top-ups/${String(topUp.body['id'])}`, tokenB);
    expect(reply.status).toBe(404);
    expect(reply.body).toMatchObject({ code: 'BILLING.TOP_UP_NOT_FOUND' });
    const ledger = await request('GET', '/v1/billing/ledger?limit=100', tokenB);
    expect(ledger.status).toBe(200);
    expect(ledger.text).not.toContain(String(topUp.body['id']));
    const [entriesOfA] = await billing.service.sql<{ ids: string[] }>('SELECT array_agg(id::text) AS ids FROM billing.ledger_entries WHERE user_id = $1', [a]);
    for (const id of entriesOfA?.ids ?? []) expect(ledger.text).not.toContain(id);
  });

  it("does not replay client A's Idempotency-Key answer to client B", async () => {
    const [a, b] = [await openAccount(billing), await openAccount(billing)];
    const key = randomUUID();
    const first = await requestTopUp(billing, a, { credits: 3 }, key);
    const second = await requestTopUp(billing, b, { credits: 3 }, key);
    expect(second.status).toBe(202);
    expect(second.body['id']).not.toBe(first.body['id']);
  });

  it('keeps plan changes and grants to admins (403 for clients, also on their own account)', async () => {
    const a = await openAccount(billing);
    const token = await signAccessToken({ userId: a });
    expect((await request('PUT', `/v1/billing/accounts/${a}/plan`, token, { plan: 'pro' })).status).toBe(403);
    expect((await request('POST', `/v1/billing/accounts/${a}/grants`, token, { credits: 1000 })).status).toBe(403);
    expect((await billing.service.sql<{ plan: string }>('SELECT plan FROM billing.accounts WHERE user_id = $1', [a]))[0]?.plan).toBe('basic');
  });

  it('refuses expired, tampered, alg none, unknown-key and other-issuer tokens on every route', async () => {
    const a = await openAccount(billing);
    const tokens = await refusedTokens(a);
    const routes = [
      { method: 'GET', path: '/v1/billing/balance' },
      { method: 'GET', path: '/v1/billing/ledger' },
      { method: 'POST', path: '/v1/billing/top-ups', body: { credits: 5 } },
      { method: 'GET', path: `/v1/billing/top-ups/${randomUUID()}` },
      { method: 'PUT', path: `/v1/billing/accounts/${a}/plan`, body: { plan: 'pro' } },
      { method: 'POST', path: `/v1/billing/accounts/${a}/grants`, body: { credits: 5 } },
    ];
    expect(await notRefused(billing.service.url, routes, tokens)).toEqual([]);
    expect(await billing.service.sql('SELECT 1 FROM billing.payments WHERE user_id = $1', [a])).toEqual([]);
  });

  it('stores injection probes in notes and Idempotency-Keys as plain text', async () => {
    const a = await openAccount(billing);
    const admin = await signAccessToken({ roles: ['user', 'admin'] });
    const [{ n: before } = { n: 0 }] = await billing.service.sql<{ n: number }>('SELECT count(*)::int AS n FROM billing.accounts');
    for (const probe of SQL_INJECTION_PROBES) {
      const grant = await request('POST', `/v1/billing/accounts/${a}/grants`, admin, { credits: 1, note: probe });
      expect(grant.status).toBe(201);
      expect(grant.body['note']).toBe(probe);
      // A key is visible ASCII, so the probe goes without its spaces.
      const topUp = await requestTopUp(billing, a, { credits: 1 }, probe.replace(/\s/g, ''));
      expect(topUp.status).toBe(202);
      for (const path of [
        `/v1/billing/top-ups/${encodeURIComponent(probe)}`,
        `/v1/billing/accounts/${encodeURIComponent(probe)}/plan`,
      ]) {
        const reply = await request(path.endsWith('plan') ? 'PUT' : 'GET', path, admin, path.endsWith('plan') ? { plan: 'pro' } : undefined);
        // Not a UUID: refused as invalid or as unknown, never looked up as text.
        expect([400, 404]).toContain(reply.status);
      }
      expect((await request('GET', `/v1/billing/ledger?cursor=${encodeURIComponent(probe)}`, admin)).status).toBe(400);
      expect((await request('PUT', `/v1/billing/accounts/${a}/plan`, admin, { plan: probe })).status).toBe(400);
    }
    const [{ n: after } = { n: 0 }] = await billing.service.sql<{ n: number }>('SELECT count(*)::int AS n FROM billing.accounts');
    expect(after).toBe(before);
    expect(await billing.service.sql('SELECT 1 FROM billing.payments WHERE user_id = $1', [a])).toHaveLength(SQL_INJECTION_PROBES.length);
  });
});
