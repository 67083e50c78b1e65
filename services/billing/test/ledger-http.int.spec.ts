import { randomUUID } from 'node:crypto';
import {
  adminToken,
  emittedOnce,
  jobEvents,
  openAccount,
  startBilling,
  tokenFor,
  type BillingUnderTest,
} from './billing-spec-support';

interface Item {
  id: string;
  kind: string;
  amount: number;
  held: number;
  jobId: string | null;
  paymentId: string | null;
  note: string | null;
  createdAt: string;
}

interface Page {
  items: Item[];
  nextCursor: string | null;
}

describe('GET /v1/billing/balance and /v1/billing/ledger (real Postgres and RabbitMQ)', () => {
  let billing: BillingUnderTest;

  beforeAll(async () => {
    billing = await startBilling();
  });
  afterAll(() => billing?.close());

  const get = async (userId: string, path: string) => billing.service.request('GET', path, { token: await tokenFor(userId) });
  const page = async (userId: string, query = '') => {
    const reply = await get(userId, `/v1/billing/ledger${query}`);
    expect(reply.status).toBe(200);
    return reply.body as unknown as Page;
  };
  const grant = async (userId: string, credits: number, note: string) => {
    const reply = await billing.service.request('POST', `/v1/billing/accounts/${userId}/grants`, {
      body: { credits, note },
      token: await adminToken(),
    });
    expect(reply.status).toBe(201);
  };

  describe('the balance', () => {
    it("shows the caller's available and reserved credits and plan", async () => {
      const userId = await openAccount(billing);
      const job = { jobId: randomUUID(), userId };
      await billing.publish(jobEvents.submitted(job));
      await emittedOnce(billing, 'billing.credits.reserved.v1', job.jobId);

      const reply = await get(userId, '/v1/billing/balance');

      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ available: 9, reserved: 1, plan: 'basic', maxConcurrentJobs: 1 });
    });

    it('answers 401 AUTH.UNAUTHENTICATED without a valid token', async () => {
      const missing = await billing.service.request('GET', '/v1/billing/balance');
      const forged = await billing.service.request('GET', '/v1/billing/balance', { token: 'not.a.jwt' });

      expect([missing.status, forged.status]).toEqual([401, 401]);
      expect(missing.body).toMatchObject({ code: 'AUTH.UNAUTHENTICATED' });
    });
  });

  describe('the ledger', () => {
    it('pages through the entries newest first with an opaque cursor, each entry exactly once', async () => {
      // given the starter grant and 24 more entries
      const userId = await openAccount(billing);
      for (let i = 1; i <= 24; i++) await grant(userId, i, `grant ${i}`);

      // when
      const first = await page(userId, '?limit=10');
      // an entry written while the client pages is newer than the cursor, so it never shifts the pages
      await grant(userId, 100, 'while paging');
      const second = await page(userId, `?limit=10&cursor=${first.nextCursor}`);
      const third = await page(userId, `?limit=10&cursor=${second.nextCursor}`);

      // then
      expect([first.items.length, second.items.length, third.items.length]).toEqual([10, 10, 5]);
      expect(third.nextCursor).toBeNull();
      const items = [...first.items, ...second.items, ...third.items];
      expect(items.map((item) => item.note)).toEqual([
        ...Array.from({ length: 24 }, (_, i) => `grant ${24 - i}`),
        'starter credits (basic)',
      ]);
      expect(new Set(items.map((item) => item.id)).size).toBe(25);
      expect(items[0]).toEqual({
        id: expect.any(String),
        kind: 'grant',
        amount: 24,
        held: 0,
        jobId: null,
        paymentId: null,
        note: 'grant 24',
        createdAt: expect.any(String),
      });
      const latest = await page(userId, '?limit=1');
      expect(latest.items[0]).toMatchObject({ amount: 100, note: 'while paging' });
    });

    it('shows 20 entries when no limit is given', async () => {
      const userId = await openAccount(billing);
      for (let i = 1; i <= 20; i++) await grant(userId, 1, `grant ${i}`);

      const first = await page(userId);

      expect(first.items).toHaveLength(20);
      expect(first.nextCursor).toEqual(expect.any(String));
    });

    it("shows only the caller's own entries", async () => {
      const [alice, bob] = [await openAccount(billing), await openAccount(billing)];
      await grant(alice, 7, 'for alice');

      const bobs = await page(bob);
      const alices = await page(alice, '?limit=1');
      const bobWithAlicesCursor = await page(bob, `?cursor=${alices.nextCursor}`);

      expect(bobs.items.map((item) => item.note)).toEqual(['starter credits (basic)']);
      expect(bobWithAlicesCursor.items.every((item) => item.note !== 'for alice')).toBe(true);
      expect((await get(bob, '/v1/billing/balance')).body['available']).toBe(10);
    });

    it.each([
      ['not base64url', 'abc+def'],
      ['base64url of something else', Buffer.from('{"createdAt":"2025-01-01"}').toString('base64url')],
      ['a position with an id that is no UUID', Buffer.from('["2025-01-15T09:32:00.123456Z","x"]').toString('base64url')],
    ])('answers 400 BILLING.INVALID_CURSOR for a cursor that is %s', async (_, cursor) => {
      const userId = await openAccount(billing);

      const reply = await get(userId, `/v1/billing/ledger?cursor=${encodeURIComponent(cursor)}`);

      expect(reply.status).toBe(400);
      expect(reply.contentType).toMatch(/^application\/problem\+json/);
      expect(reply.body).toMatchObject({ status: 400, code: 'BILLING.INVALID_CURSOR' });
    });

    it.each([
      ['limit=0', ['limit']],
      ['limit=101', ['limit']],
      ['limit=ten', ['limit']],
      ['page=2', ['page']],
    ])('answers 400 REQUEST.INVALID for ?%s', async (query, fields) => {
      const userId = await openAccount(billing);

      const reply = await get(userId, `/v1/billing/ledger?${query}`);

      expect(reply.status).toBe(400);
      expect(reply.body).toMatchObject({ code: 'REQUEST.INVALID' });
      expect((reply.body['errors'] as { field: string }[]).map((e) => e.field)).toEqual(fields);
    });
  });
});
