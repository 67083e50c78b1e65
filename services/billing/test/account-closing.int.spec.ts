import { createEvent, UserDeletedV1 } from '@conveyor/contracts';
import { randomUUID } from 'node:crypto';
import {
  adminToken,
  emittedOnce,
  jobEvents,
  ledgerOf,
  openAccount,
  registration,
  requestTopUp,
  startBilling,
  tokenFor,
  type BillingUnderTest,
} from './billing-spec-support';

const deletion = (userId: string) =>
  createEvent(UserDeletedV1, { source: '/conveyor/user', subject: userId, data: { userId, deletedBy: 'self', deletedAt: new Date().toISOString() } });

describe('closing the account of a deleted user (real Postgres and RabbitMQ)', () => {
  let billing: BillingUnderTest;

  beforeAll(async () => {
    billing = await startBilling();
  });

  afterAll(() => billing?.close());

  const closedAt = async (userId: string) =>
    (await billing.service.sql<{ closed_at: Date | null }>(`SELECT closed_at FROM billing.accounts WHERE user_id = $1`, [userId]))[0]?.closed_at;

  it('closes the account: the balance answers 404 BILLING.ACCOUNT_CLOSED and the ledger is kept', async () => {
    const userId = await openAccount(billing);
    const ledgerBefore = await ledgerOf(billing, userId);
    const event = deletion(userId);

    await billing.publish(event);
    await billing.delivered(event.id);

    expect(await closedAt(userId)).toBeInstanceOf(Date);
    const balance = await billing.service.request('GET', '/v1/billing/balance', { token: await tokenFor(userId) });
    expect(balance.status).toBe(404);
    expect(balance.body['code']).toBe('BILLING.ACCOUNT_CLOSED');
    expect(await ledgerOf(billing, userId)).toEqual(ledgerBefore);
  });

  it('rejects a later job with account_closed instead of reserving, and refuses grants and top-ups', async () => {
    const userId = await openAccount(billing);
    const event = deletion(userId);
    await billing.publish(event);
    await billing.delivered(event.id);
    const job = { jobId: randomUUID(), userId };

    await billing.publish(jobEvents.submitted(job));

    const [rejected] = await emittedOnce(billing, 'billing.credits.rejected.v1', job.jobId);
    expect(rejected.data).toMatchObject({ reason: 'account_closed' });
    expect((await ledgerOf(billing, userId)).filter((e) => e.kind === 'reserve')).toEqual([]);
    const grant = await billing.service.request('POST', `/v1/billing/accounts/${userId}/grants`, { token: await adminToken(), body: { credits: 5 } });
    expect(grant.status).toBe(404);
    expect(grant.body['code']).toBe('BILLING.ACCOUNT_CLOSED');
    expect((await requestTopUp(billing, userId, { credits: 10 })).status).toBe(404);
  });

  it('closes once when the same event is delivered twice', async () => {
    const userId = await openAccount(billing);
    const event = deletion(userId);

    await billing.publish(event, event);
    const outcomes = await billing.delivered(event.id, 2);
    const first = await closedAt(userId);
    const again = deletion(userId);
    await billing.publish(again);
    await billing.delivered(again.id);

    expect(outcomes.sort()).toEqual(['ALREADY_PROCESSED', 'APPLIED']);
    expect(await closedAt(userId)).toEqual(first);
  });

  it('keeps the account closed when the deletion overtakes the registration', async () => {
    const userId = randomUUID();
    const event = deletion(userId);
    await billing.publish(event);
    await billing.delivered(event.id);

    const late = registration(userId);
    await billing.publish(late);
    await billing.delivered(late.id);

    expect(await closedAt(userId)).toBeInstanceOf(Date);
    expect(await ledgerOf(billing, userId)).toEqual([]);
  });
});
