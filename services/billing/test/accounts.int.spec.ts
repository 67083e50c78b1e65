import { waitFor } from '@conveyor/testing';
import { randomUUID } from 'node:crypto';
import {
  adminToken,
  balancesOf,
  emitted,
  ledgerOf,
  openAccount,
  registration,
  startBilling,
  tokenFor,
  type BillingUnderTest,
} from './billing-spec-support';

describe('billing accounts, plans and grants (real Postgres and RabbitMQ)', () => {
  let billing: BillingUnderTest;

  beforeAll(async () => {
    billing = await startBilling();
  });
  afterAll(() => billing?.close());

  const balance = async (userId: string) =>
    billing.service.request('GET', '/v1/billing/balance', { token: await tokenFor(userId) });

  describe('opening an account on auth.user.registered.v1', () => {
    it('opens a basic account with 10 starter credits and announces plan revision 1', async () => {
      // given a user whose registration has not reached billing yet
      const userId = randomUUID();
      expect((await balance(userId)).body).toMatchObject({ status: 404, code: 'BILLING.ACCOUNT_NOT_FOUND' });

      // when
      await openAccount(billing, userId);

      // then
      const reply = await balance(userId);
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ available: 10, reserved: 0, plan: 'basic', maxConcurrentJobs: 1 });
      expect(await ledgerOf(billing, userId)).toEqual([{ kind: 'grant', amount: 10, held: 0, job_id: null, payment_id: null }]);
      expect(await emitted(billing, 'billing.account.plan_changed.v1', userId)).toEqual([
        {
          type: 'billing.account.plan_changed.v1',
          subject: userId,
          data: { userId, plan: 'basic', maxConcurrentJobs: 1, revision: 1, changedAt: expect.any(String) },
        },
      ]);
    });

    it('opens the account once when the same event is delivered twice', async () => {
      const event = registration();

      await billing.publish(event);
      await billing.publish(event);

      expect((await billing.delivered(event.id, 2)).sort()).toEqual(['ALREADY_PROCESSED', 'APPLIED']);
      expect(await ledgerOf(billing, event.data.userId)).toHaveLength(1);
      expect(await emitted(billing, 'billing.account.plan_changed.v1', event.data.userId)).toHaveLength(1);
    });

    it('opens the account once when two different registration events name the same user', async () => {
      const userId = randomUUID();
      const [first, second] = [registration(userId), registration(userId)];

      await billing.publish(first, second);

      await billing.delivered(first.id);
      await billing.delivered(second.id);
      expect(await balancesOf(billing, userId)).toMatchObject({ available: 10, ledger_available: 10 });
      expect(await emitted(billing, 'billing.account.plan_changed.v1', userId)).toHaveLength(1);
    });
  });

  describe('PUT /v1/billing/accounts/:userId/plan', () => {
    const changePlan = async (userId: string, body: unknown, token?: string) =>
      billing.service.request('PUT', `/v1/billing/accounts/${userId}/plan`, { body, token: token ?? (await adminToken()) });

    it('moves the account to pro, raises the revision and announces it; credits stay as they were', async () => {
      const userId = await openAccount(billing);

      const reply = await changePlan(userId, { plan: 'pro' });

      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ userId, plan: 'pro', maxConcurrentJobs: 5, revision: 2 });
      expect((await balance(userId)).body).toEqual({ available: 10, reserved: 0, plan: 'pro', maxConcurrentJobs: 5 });
      const changes = await emitted(billing, 'billing.account.plan_changed.v1', userId);
      expect(changes.map((e) => [e.data['plan'], e.data['revision']])).toEqual([
        ['basic', 1],
        ['pro', 2],
      ]);
    });

    it('changes nothing and announces nothing when the account already has the plan', async () => {
      const userId = await openAccount(billing);
      await changePlan(userId, { plan: 'pro' });

      const again = await changePlan(userId, { plan: 'pro' });

      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ plan: 'pro', revision: 2 });
      expect(await emitted(billing, 'billing.account.plan_changed.v1', userId)).toHaveLength(2);
    });

    it('answers 403 AUTH.FORBIDDEN to a caller without the admin role, even for their own account', async () => {
      const userId = await openAccount(billing);

      const reply = await changePlan(userId, { plan: 'pro' }, await tokenFor(userId));

      expect(reply.status).toBe(403);
      expect(reply.contentType).toMatch(/^application\/problem\+json/);
      expect(reply.body).toMatchObject({ status: 403, code: 'AUTH.FORBIDDEN' });
      expect((await balance(userId)).body['plan']).toBe('basic');
    });

    it('answers 401 without a token', async () => {
      const reply = await billing.service.request('PUT', `/v1/billing/accounts/${randomUUID()}/plan`, { body: { plan: 'pro' } });

      expect(reply.status).toBe(401);
    });

    it.each<[number, string, string, string, unknown]>([
      [400, 'BILLING.UNKNOWN_PLAN', 'an unknown plan', 'existing', { plan: 'platinum' }],
      [400, 'REQUEST.INVALID', 'a plan name of the wrong shape', 'existing', { plan: 'Pro Plan' }],
      [400, 'REQUEST.INVALID', 'a missing plan', 'existing', {}],
      [400, 'REQUEST.INVALID', 'a user id that is no UUID', 'not-a-uuid', { plan: 'pro' }],
      [404, 'BILLING.ACCOUNT_NOT_FOUND', 'an account that does not exist', 'unknown', { plan: 'pro' }],
    ])('answers %i %s for %s', async (status, code, _, who, body) => {
      const userId = who === 'existing' ? await openAccount(billing) : who === 'unknown' ? randomUUID() : who;

      const reply = await changePlan(userId, body);

      expect(reply.status).toBe(status);
      expect(reply.body).toMatchObject({ status, code });
    });
  });

  describe('POST /v1/billing/accounts/:userId/grants', () => {
    const grant = async (userId: string, body: unknown, token?: string) =>
      billing.service.request('POST', `/v1/billing/accounts/${userId}/grants`, { body, token: token ?? (await adminToken()) });

    it('adds the credits as a grant entry with its note', async () => {
      const userId = await openAccount(billing);

      const reply = await grant(userId, { credits: 25, note: 'goodwill' });

      expect(reply.status).toBe(201);
      expect(reply.body).toEqual({
        id: expect.any(String),
        userId,
        credits: 25,
        note: 'goodwill',
        available: 35,
        createdAt: expect.any(String),
      });
      expect((await balance(userId)).body['available']).toBe(35);
      const rows = await billing.service.sql('SELECT kind, amount, note FROM billing.ledger_entries WHERE id = $1', [
        reply.body['id'],
      ]);
      expect(rows).toEqual([{ kind: 'grant', amount: 25, note: 'goodwill' }]);
      expect(await balancesOf(billing, userId)).toMatchObject({ available: 35, ledger_available: 35 });
    });

    it('answers 403 to a caller without the admin role and grants nothing', async () => {
      const userId = await openAccount(billing);

      const reply = await grant(userId, { credits: 1000 }, await tokenFor(userId));

      expect(reply.status).toBe(403);
      expect(reply.body).toMatchObject({ code: 'AUTH.FORBIDDEN' });
      expect(await ledgerOf(billing, userId)).toHaveLength(1);
    });

    it.each<[string, unknown, string[]]>([
      ['zero credits', { credits: 0 }, ['credits']],
      ['negative credits', { credits: -5 }, ['credits']],
      ['fractional credits', { credits: 1.5 }, ['credits']],
      ['credits as a string', { credits: '10' }, ['credits']],
      ['a note over 500 characters', { credits: 1, note: 'n'.repeat(501) }, ['note']],
      ['an unknown field', { credits: 1, reason: 'x' }, ['reason']],
    ])('answers 400 REQUEST.INVALID for %s and grants nothing', async (_, body, fields) => {
      const userId = await openAccount(billing);

      const reply = await grant(userId, body);

      expect(reply.status).toBe(400);
      expect(reply.body).toMatchObject({ status: 400, code: 'REQUEST.INVALID' });
      expect((reply.body['errors'] as { field: string }[]).map((e) => e.field)).toEqual(fields);
      expect(await ledgerOf(billing, userId)).toHaveLength(1);
    });

    it('answers 404 for an account that does not exist', async () => {
      const reply = await grant(randomUUID(), { credits: 5 });

      expect(reply.status).toBe(404);
      expect(reply.body).toMatchObject({ code: 'BILLING.ACCOUNT_NOT_FOUND' });
    });
  });

  it('keeps accounts opened by many concurrent registrations equal to their ledgers', async () => {
    const users = Array.from({ length: 10 }, () => randomUUID());

    await billing.publish(...users.map((userId) => registration(userId)));

    const opened = async () => (await billing.service.sql('SELECT 1 FROM billing.accounts WHERE user_id = ANY($1)', [users])).length;
    await waitFor(async () => (await opened()) === 10, { description: 'all ten accounts' });
    const mismatches = await billing.service.sql(
      `SELECT a.user_id FROM billing.accounts a
       WHERE a.available <> (SELECT coalesce(sum(amount), 0) FROM billing.ledger_entries l WHERE l.user_id = a.user_id)
          OR a.reserved <> (SELECT coalesce(sum(held), 0) FROM billing.ledger_entries l WHERE l.user_id = a.user_id)`,
    );
    expect(mismatches).toEqual([]);
  });
});
