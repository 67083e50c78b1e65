import { waitFor } from '@conveyor/testing';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import {
  balancesOf,
  emitted,
  emittedOnce,
  jobEvents,
  ledgerOf,
  openAccount,
  registration,
  startBilling,
  tokenFor,
  type BillingUnderTest,
  type JobRef,
} from './billing-spec-support';

describe('the credit saga: reserve, reject, capture, release (real Postgres and RabbitMQ)', () => {
  let billing: BillingUnderTest;

  beforeAll(async () => {
    billing = await startBilling();
    await billing.service.sql(`INSERT INTO billing.job_costs (job_type, credits) VALUES ('image.transform', 3), ('huge.job', 11)`);
  });
  afterAll(() => billing?.close());

  const newJob = async (type = 'echo'): Promise<JobRef> => ({ jobId: randomUUID(), userId: await openAccount(billing), type });
  const reserved = async (job: JobRef) => {
    await billing.publish(jobEvents.submitted(job));
    return emittedOnce(billing, 'billing.credits.reserved.v1', job.jobId);
  };
  const balance = async (userId: string) =>
    (await billing.service.request('GET', '/v1/billing/balance', { token: await tokenFor(userId) })).body;
  const jobEntries = async (job: JobRef) => (await ledgerOf(billing, job.userId)).filter((e) => e.job_id === job.jobId);
  const creditEvents = async (job: JobRef) => (await emitted(billing, undefined, job.jobId)).map((e) => e.type);

  describe('a submitted job', () => {
    it('holds its cost (1 credit by default) and announces billing.credits.reserved.v1', async () => {
      const job = await newJob();

      const [event] = await reserved(job);

      expect(event.data).toEqual({ jobId: job.jobId, userId: job.userId, amount: 1, balance: 9, reservedAt: expect.any(String) });
      expect(await jobEntries(job)).toEqual([{ kind: 'reserve', amount: -1, held: 1, job_id: job.jobId, payment_id: null }]);
      expect(await balance(job.userId)).toMatchObject({ available: 9, reserved: 1 });
    });

    it('holds the cost its job type has in billing.job_costs', async () => {
      const job = await newJob('image.transform');

      const [event] = await reserved(job);

      expect(event.data).toMatchObject({ amount: 3, balance: 7 });
    });

    it('is rejected with insufficient_credits when the balance is too low, and nothing is held', async () => {
      // given an account with 10 credits and a job that costs 11
      const job = await newJob('huge.job');

      // when
      await billing.publish(jobEvents.submitted(job));

      // then
      const [rejection] = await emittedOnce(billing, 'billing.credits.rejected.v1', job.jobId);
      expect(rejection.data).toEqual({
        jobId: job.jobId,
        userId: job.userId,
        reason: 'insufficient_credits',
        required: 11,
        balance: 10,
        rejectedAt: expect.any(String),
      });
      expect(await creditEvents(job)).toEqual(['billing.credits.rejected.v1']);
      expect(await jobEntries(job)).toEqual([]);
      expect(await balance(job.userId)).toMatchObject({ available: 10, reserved: 0 });
    });

    it('waits (retries) for an account whose registration has not arrived yet', async () => {
      const job = { jobId: randomUUID(), userId: randomUUID() };
      const submitted = jobEvents.submitted(job);

      await billing.publish(submitted);
      await billing.delivered(submitted.id);
      expect(billing.deliveriesOf(submitted.id)).toEqual(['FAILED']);
      await billing.publish(registration(job.userId));

      const [event] = await emittedOnce(billing, 'billing.credits.reserved.v1', job.jobId);
      expect(event.data).toMatchObject({ amount: 1, balance: 9 });
    });
  });

  describe('a job that ended', () => {
    it('succeeded: its hold is captured and billing.credits.captured.v1 announced', async () => {
      const job = await newJob();
      await reserved(job);

      await billing.publish(jobEvents.succeeded(job));

      const [capture] = await emittedOnce(billing, 'billing.credits.captured.v1', job.jobId);
      expect(capture.data).toEqual({ jobId: job.jobId, userId: job.userId, amount: 1, balance: 9, capturedAt: expect.any(String) });
      expect((await jobEntries(job)).map((e) => [e.kind, e.amount, e.held])).toEqual([
        ['reserve', -1, 1],
        ['capture', 0, -1],
      ]);
      expect(await balance(job.userId)).toMatchObject({ available: 9, reserved: 0 });
    });

    it.each(['failed', 'canceled', 'rejected'] as const)(
      '%s: its hold is released and billing.credits.released.v1 announced',
      async (outcome) => {
        const job = await newJob('image.transform');
        await reserved(job);

        await billing.publish(jobEvents[outcome](job));

        const [release] = await emittedOnce(billing, 'billing.credits.released.v1', job.jobId);
        expect(release.data).toEqual({
          jobId: job.jobId,
          userId: job.userId,
          amount: 3,
          balance: 10,
          reason: outcome,
          releasedAt: expect.any(String),
        });
        expect((await jobEntries(job)).map((e) => [e.kind, e.amount, e.held])).toEqual([
          ['reserve', -3, 3],
          ['release', 3, -3],
        ]);
        expect(await balance(job.userId)).toMatchObject({ available: 10, reserved: 0 });
      },
    );

    it('rejected after billing refused it: there is no hold, so nothing is released', async () => {
      const job = await newJob('huge.job');
      await billing.publish(jobEvents.submitted(job));
      await emittedOnce(billing, 'billing.credits.rejected.v1', job.jobId);

      const rejected = jobEvents.rejected(job);
      await billing.publish(rejected);
      await billing.delivered(rejected.id);

      expect(billing.deliveriesOf(rejected.id)).toEqual(['APPLIED']);
      expect(await creditEvents(job)).toEqual(['billing.credits.rejected.v1']);
      expect(await jobEntries(job)).toEqual([]);
    });
  });

  describe('the same event delivered twice (acceptance 4)', () => {
    it.each([
      ['jobs.job.submitted.v1', 'reserve', async () => undefined, jobEvents.submitted],
      ['jobs.job.succeeded.v1', 'capture', reserved, jobEvents.succeeded],
      ['jobs.job.failed.v1', 'release', reserved, jobEvents.failed],
      ['jobs.job.canceled.v1', 'release', reserved, jobEvents.canceled],
      ['jobs.job.rejected.v1', 'release', reserved, jobEvents.rejected],
    ] as const)('%s makes one %s entry and one event', async (_, kind, given, eventFor) => {
      // given
      const job = await newJob();
      await given(job);
      const event = eventFor(job);

      // when
      await billing.publish(event);
      await billing.publish(event);

      // then
      expect((await billing.delivered(event.id, 2)).sort()).toEqual(['ALREADY_PROCESSED', 'APPLIED']);
      expect((await jobEntries(job)).filter((e) => e.kind === kind)).toHaveLength(1);
      expect(new Set(await creditEvents(job)).size).toBe((await creditEvents(job)).length);
      const sums = await balancesOf(billing, job.userId);
      expect([sums.available, sums.reserved]).toEqual([sums.ledger_available, sums.ledger_held]);
    });

    it('auth.user.registered.v1 opens one account with one starter grant', async () => {
      const event = registration();

      await billing.publish(event);
      await billing.publish(event);

      expect((await billing.delivered(event.id, 2)).sort()).toEqual(['ALREADY_PROCESSED', 'APPLIED']);
      expect(await ledgerOf(billing, event.data.userId)).toHaveLength(1);
    });
  });

  describe('events out of order', () => {
    it('canceled before submitted: the late submission holds nothing and answers nothing', async () => {
      const job = await newJob();
      const submitted = jobEvents.submitted(job);

      await billing.publish(jobEvents.canceled(job));
      await billing.delivered((await billing.publish(submitted), submitted.id));

      expect(billing.deliveriesOf(submitted.id)).toEqual(['APPLIED']);
      expect(await jobEntries(job)).toEqual([]);
      expect(await creditEvents(job)).toEqual([]);
      expect(await balance(job.userId)).toMatchObject({ available: 10, reserved: 0 });
    });

    it('succeeded before submitted: the success is retried until the hold exists, then captured', async () => {
      const job = await newJob();
      const succeeded = jobEvents.succeeded(job);

      // when the success arrives first, it is refused (not dropped)...
      await billing.publish(succeeded);
      await billing.delivered(succeeded.id);
      expect(billing.deliveriesOf(succeeded.id)[0]).toBe('FAILED');

      // ...and applied on redelivery once the submission made the hold
      await billing.publish(jobEvents.submitted(job));
      await emittedOnce(billing, 'billing.credits.captured.v1', job.jobId);
      expect(await creditEvents(job)).toEqual(['billing.credits.reserved.v1', 'billing.credits.captured.v1']);
      expect(await balance(job.userId)).toMatchObject({ available: 9, reserved: 0 });
    });

    it('succeeded twice under different event ids: charged once', async () => {
      const job = await newJob();
      await reserved(job);
      const [first, second] = [jobEvents.succeeded(job), jobEvents.succeeded(job)];

      await billing.publish(first, second);
      await billing.delivered(first.id);
      await billing.delivered(second.id);

      expect((await jobEntries(job)).map((e) => e.kind)).toEqual(['reserve', 'capture']);
      expect(await emitted(billing, 'billing.credits.captured.v1', job.jobId)).toHaveLength(1);
    });

    it('succeeded after the job was canceled and released: nothing is charged', async () => {
      const job = await newJob();
      await reserved(job);
      await billing.publish(jobEvents.canceled(job));
      await emittedOnce(billing, 'billing.credits.released.v1', job.jobId);

      const succeeded = jobEvents.succeeded(job);
      await billing.publish(succeeded);
      await billing.delivered(succeeded.id);

      expect(billing.deliveriesOf(succeeded.id)).toEqual(['APPLIED']);
      expect((await jobEntries(job)).map((e) => e.kind)).toEqual(['reserve', 'release']);
      expect(await balance(job.userId)).toMatchObject({ available: 10, reserved: 0 });
    });
  });

  it('never overdraws: of 20 concurrent submissions against 10 credits, exactly 10 are held', async () => {
    // given
    const userId = await openAccount(billing);
    const jobs = Array.from({ length: 20 }, () => ({ jobId: randomUUID(), userId }));

    // when all arrive at once
    await billing.publish(...jobs.map((job) => jobEvents.submitted(job)));

    // then each job got exactly one answer, and the answers add up
    const answers = await waitFor(
      async () => {
        const rows = await billing.service.sql<{ type: string }>(
          `SELECT event_type AS type FROM billing.outbox WHERE envelope->>'subject' = ANY($1)`,
          [jobs.map((job) => job.jobId)],
        );
        return rows.length >= jobs.length && rows.map((row) => row.type);
      },
      { description: 'an answer to each of the 20 jobs' },
    );
    expect(answers).toHaveLength(20);
    expect(answers.filter((type) => type === 'billing.credits.reserved.v1')).toHaveLength(10);
    expect(answers.filter((type) => type === 'billing.credits.rejected.v1')).toHaveLength(10);
    expect(await balancesOf(billing, userId)).toEqual({ available: 0, reserved: 10, ledger_available: 0, ledger_held: 10 });
  });

  it('keeps every cached balance equal to the sum of its ledger', async () => {
    const mismatches = await billing.service.sql(
      `SELECT a.user_id FROM billing.accounts a
       LEFT JOIN (SELECT user_id, sum(amount) AS amount, sum(held) AS held FROM billing.ledger_entries GROUP BY user_id) l
         ON l.user_id = a.user_id
       WHERE a.available <> coalesce(l.amount, 0) OR a.reserved <> coalesce(l.held, 0)`,
    );
    const accounts = await billing.service.sql('SELECT count(*)::int AS n FROM billing.accounts');

    expect(accounts[0]['n']).toBeGreaterThan(10);
    expect(mismatches).toEqual([]);
  });

  describe('the ledger itself', () => {
    let asBilling: Client;

    beforeAll(async () => {
      // The service's own role: it owns the table, so only the triggers stand in its way.
      asBilling = new Client({ connectionString: billing.service.config.DATABASE_URL });
      await asBilling.connect();
    });
    afterAll(() => asBilling?.end());

    it.each([
      ['UPDATE', `UPDATE billing.ledger_entries SET amount = amount + 100`],
      ['DELETE', `DELETE FROM billing.ledger_entries`],
      ['TRUNCATE', `TRUNCATE billing.ledger_entries CASCADE`],
    ])('refuses %s, even to the table owner', async (operation, statement) => {
      const totals = () => billing.service.sql('SELECT count(*)::int AS n, sum(amount)::int AS total FROM billing.ledger_entries');
      const before = await totals();

      await expect(asBilling.query(statement)).rejects.toThrow(`billing.ledger_entries is append-only: ${operation} is not allowed`);

      expect(await totals()).toEqual(before);
    });

    it('refuses a second reserve, a capture without a reserve, and a release after a capture', async () => {
      const job = await newJob();
      await reserved(job);
      const [reserve] = await billing.service.sql<{ id: string }>(
        `SELECT id FROM billing.ledger_entries WHERE job_id = $1 AND kind = 'reserve'`,
        [job.jobId],
      );
      const insert = (kind: string, amount: number, held: number, jobId: string | null, reservationId: string | null) =>
        asBilling.query(
          `INSERT INTO billing.ledger_entries (id, user_id, kind, amount, held, job_id, reservation_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [randomUUID(), job.userId, kind, amount, held, jobId, reservationId],
        );

      await expect(insert('reserve', -1, 1, job.jobId, null)).rejects.toThrow(/ledger_one_reserve_per_job/);
      await expect(insert('capture', 0, -1, randomUUID(), reserve.id)).rejects.toThrow(/ledger_entries_settles_reservation/);
      await expect(insert('capture', 0, -1, randomUUID(), null)).rejects.toThrow(/ledger_entries_references/);
      await expect(insert('grant', -5, 0, null, null)).rejects.toThrow(/ledger_entries_signs/);
      // A capture is possible, but then no release; rolled back so the cached balance stays right.
      await asBilling.query('BEGIN');
      try {
        await insert('capture', 0, -1, job.jobId, reserve.id);
        await expect(insert('release', 1, -1, job.jobId, reserve.id)).rejects.toThrow(/ledger_one_settlement_per_job/);
      } finally {
        await asBilling.query('ROLLBACK');
      }
      expect((await jobEntries(job)).map((e) => e.kind)).toEqual(['reserve']);
    });
  });
});
