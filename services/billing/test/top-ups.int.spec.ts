import { randomUUID } from 'node:crypto';
import {
  balancesOf,
  emitted,
  ledgerOf,
  openAccount,
  requestTopUp,
  settledTopUp,
  startBilling,
  tokenFor,
  type BillingUnderTest,
} from './billing-spec-support';

describe('top-ups with the simulated payment provider (real Postgres and RabbitMQ)', () => {
  let billing: BillingUnderTest;

  beforeAll(async () => {
    // Every payment's first two provider calls fail transiently.
    billing = await startBilling({ PAYMENT_SIMULATED_FAIL_FIRST: '2', PAYMENT_MAX_ATTEMPTS: '5' });
  });
  afterAll(() => billing?.close());

  const paymentsOf = (userId: string) =>
    billing.service.sql<{ id: string; credits: number }>('SELECT id, credits FROM billing.payments WHERE user_id = $1', [userId]);

  it('grants the credits once when the provider fails twice and then succeeds (acceptance 9)', async () => {
    // given
    const userId = await openAccount(billing);

    // when
    const reply = await requestTopUp(billing, userId, { credits: 25 });

    // then the request is accepted at once...
    expect(reply.status).toBe(202);
    expect(reply.body).toEqual({ id: expect.any(String), status: 'pending', credits: 25, createdAt: expect.any(String) });
    const id = String(reply.body['id']);
    // ...and charged in the background, on the third call
    expect(await settledTopUp(billing, userId, id)).toEqual({
      id,
      status: 'succeeded',
      credits: 25,
      attempts: 3,
      failureReason: null,
      createdAt: reply.body['createdAt'],
      completedAt: expect.any(String),
    });
    expect((await ledgerOf(billing, userId)).filter((e) => e.kind === 'top_up')).toEqual([
      { kind: 'top_up', amount: 25, held: 0, job_id: null, payment_id: id },
    ]);
    expect(await balancesOf(billing, userId)).toEqual({ available: 35, reserved: 0, ledger_available: 35, ledger_held: 0 });
    expect(await emitted(billing, 'billing.payment.succeeded.v1', id)).toEqual([
      {
        type: 'billing.payment.succeeded.v1',
        subject: id,
        data: { paymentId: id, userId, credits: 25, attempts: 3, succeededAt: expect.any(String) },
      },
    ]);
    expect(await emitted(billing, 'billing.payment.failed.v1', id)).toEqual([]);
  });

  it('replays the first answer for the same Idempotency-Key and body, and creates one payment', async () => {
    const userId = await openAccount(billing);
    const key = `top-up-${randomUUID()}`;

    const first = await requestTopUp(billing, userId, { credits: 40 }, key);
    const again = await requestTopUp(billing, userId, { credits: 40 }, key);

    expect([first.status, again.status]).toEqual([202, 202]);
    expect(again.text).toBe(first.text);
    expect(await paymentsOf(userId)).toHaveLength(1);
    const replayed = await fetch(`${billing.service.url}/v1/billing/top-ups`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await tokenFor(userId)}`, 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify({ credits: 40 }),
    });
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(replayed.headers.get('location')).toBe(`/v1/billing/top-ups/${first.body['id']}`);
    await settledTopUp(billing, userId, String(first.body['id']));
    const afterwards = await requestTopUp(billing, userId, { credits: 40 }, key);
    expect(afterwards.text).toBe(first.text);
    expect((await balancesOf(billing, userId)).available).toBe(50);
  });

  it('answers 422 BILLING.IDEMPOTENCY_KEY_REUSED for the same key with another body, and creates nothing', async () => {
    const userId = await openAccount(billing);
    const key = randomUUID();
    await requestTopUp(billing, userId, { credits: 40 }, key);

    const reply = await requestTopUp(billing, userId, { credits: 41 }, key);

    expect(reply.status).toBe(422);
    expect(reply.contentType).toMatch(/^application\/problem\+json/);
    expect(reply.body).toMatchObject({ status: 422, code: 'BILLING.IDEMPOTENCY_KEY_REUSED', instance: '/v1/billing/top-ups' });
    expect((await paymentsOf(userId)).map((p) => p.credits)).toEqual([40]);
  });

  it('creates exactly one payment for 20 concurrent requests with one key', async () => {
    const userId = await openAccount(billing);
    const key = randomUUID();

    const replies = await Promise.all(Array.from({ length: 20 }, () => requestTopUp(billing, userId, { credits: 5 }, key)));

    expect(replies.every((reply) => reply.status === 202)).toBe(true);
    expect(new Set(replies.map((reply) => reply.body['id'])).size).toBe(1);
    expect(await paymentsOf(userId)).toHaveLength(1);
  });

  it('scopes keys to the client: two clients may use the same key', async () => {
    const [alice, bob] = [await openAccount(billing), await openAccount(billing)];
    const key = 'shared-key';

    const forAlice = await requestTopUp(billing, alice, { credits: 1 }, key);
    const forBob = await requestTopUp(billing, bob, { credits: 2 }, key);

    expect([forAlice.status, forBob.status]).toEqual([202, 202]);
    expect(forAlice.body['id']).not.toBe(forBob.body['id']);
  });

  it("answers 404 BILLING.TOP_UP_NOT_FOUND for someone else's top-up, as for one that does not exist", async () => {
    const [alice, bob] = [await openAccount(billing), await openAccount(billing)];
    const id = String((await requestTopUp(billing, alice, { credits: 3 })).body['id']);

    const asBob = await billing.service.request('GET', `/v1/billing/top-ups/${id}`, { token: await tokenFor(bob) });
    const unknown = await billing.service.request('GET', `/v1/billing/top-ups/${randomUUID()}`, { token: await tokenFor(alice) });
    const malformed = await billing.service.request('GET', '/v1/billing/top-ups/42', { token: await tokenFor(alice) });

    expect([asBob.status, unknown.status, malformed.status]).toEqual([404, 404, 400]);
    expect(asBob.body).toMatchObject({ code: 'BILLING.TOP_UP_NOT_FOUND' });
    expect(asBob.text.replace(/"instance":"[^"]*"/, '')).toBe(unknown.text.replace(/"instance":"[^"]*"/, ''));
  });

  it.each<[string, unknown, string | null, string[]]>([
    ['the Idempotency-Key header is missing', { credits: 10 }, null, ['Idempotency-Key']],
    ['the Idempotency-Key is over 255 characters', { credits: 10 }, 'k'.repeat(256), ['Idempotency-Key']],
    ['credits are 0', { credits: 0 }, 'key-a', ['credits']],
    ['credits are over 100000', { credits: 100_001 }, 'key-b', ['credits']],
    ['credits are a string', { credits: '10' }, 'key-c', ['credits']],
    ['credits are missing', {}, 'key-d', ['credits']],
  ])('answers 400 REQUEST.INVALID when %s, and creates nothing', async (_, body, key, fields) => {
    const userId = await openAccount(billing);

    const reply = await requestTopUp(billing, userId, body, key);

    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ code: 'REQUEST.INVALID' });
    expect((reply.body['errors'] as { field: string }[]).map((e) => e.field)).toEqual(fields);
    expect(await paymentsOf(userId)).toEqual([]);
  });

  it('answers 404 BILLING.ACCOUNT_NOT_FOUND before the account is open', async () => {
    const reply = await requestTopUp(billing, randomUUID(), { credits: 10 });

    expect(reply.status).toBe(404);
    expect(reply.body).toMatchObject({ code: 'BILLING.ACCOUNT_NOT_FOUND' });
  });
});
