import { OutboxWriter } from '@conveyor/outbox';
import { dataSourceOptions, runMigrations } from '@conveyor/persistence';
import { createTestDatabase, waitFor, type TestDatabase } from '@conveyor/testing';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { JobClaimer, LOCK_CLIENT_SQL } from '../src/jobs/run-jobs/claim-jobs';
import { leaseTerms } from '../src/jobs/run-jobs/job-lease';
import { jobsService } from '../src/jobs.definition';

jest.setTimeout(30_000);

/**
 * The claim on its own, with no worker running: many claimers, each with a pool of its own as
 * separate processes would have, race for the same client's queued jobs.
 */
describe('claims racing for one client (real Postgres)', () => {
  let database: TestDatabase;
  let dataSources: DataSource[];
  let admin: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    const url = database.urlFor('jobs');
    await runMigrations({ url, schema: 'jobs', migrations: jobsService.migrations });
    dataSources = Array.from({ length: 4 }, () => new DataSource(dataSourceOptions({ url, schema: 'jobs', poolSize: 4 })));
    await Promise.all(dataSources.map((dataSource) => dataSource.initialize()));
    admin = dataSources[0];
  });

  afterAll(async () => {
    await Promise.all(dataSources?.map((dataSource) => dataSource.destroy()) ?? []);
    await database?.drop();
  });

  async function queueJobs(userId: string, count: number, maxConcurrentJobs?: number): Promise<string[]> {
    if (maxConcurrentJobs) {
      await admin.query(`INSERT INTO jobs.plans (user_id, plan, max_concurrent_jobs, revision) VALUES ($1, 'p', $2, 1)`, [
        userId,
        maxConcurrentJobs,
      ]);
    }
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const id = randomUUID();
      await admin.query(`INSERT INTO jobs.jobs (id, user_id, type, input, status) VALUES ($1, $2, 'echo', '{}', 'queued')`, [id, userId]);
      ids.push(id);
    }
    return ids;
  }

  const race = (userId: string, claimsPerClaimer: number, max: number) => {
    const claimers = dataSources.map((dataSource) => new JobClaimer(dataSource, new OutboxWriter('jobs'), leaseTerms()));
    return Promise.all(claimers.flatMap((claimer) => Array.from({ length: claimsPerClaimer }, () => claimer.claim(userId, max))));
  };

  it("start exactly as many jobs as the client's plan allows, the oldest ones, each with its started event", async () => {
    // given a client allowed two jobs at once, with twenty queued
    const userId = randomUUID();
    const queued = await queueJobs(userId, 20, 2);

    // when sixteen claims race
    const claimed = (await race(userId, 4, 5)).flat();

    // then
    expect(claimed.map((job) => job.id).sort()).toEqual(queued.slice(0, 2).sort());
    expect(claimed.every((job) => job.attempts === 1)).toBe(true);
    const started = await admin.query(`SELECT envelope->>'subject' AS id FROM jobs.outbox WHERE event_type = 'jobs.job.started.v1' AND envelope->'data'->>'userId' = $1`, [userId]);
    expect(started.map((row: { id: string }) => row.id).sort()).toEqual(queued.slice(0, 2).sort());
  });

  it('start one job of a client without a known plan, and the next once it finished', async () => {
    // given
    const userId = randomUUID();
    const queued = await queueJobs(userId, 5);

    // when
    const first = (await race(userId, 3, 5)).flat();
    await admin.query(`UPDATE jobs.jobs SET status = 'succeeded' WHERE id = $1`, [first[0]?.id]);
    const second = (await race(userId, 3, 5)).flat();

    // then
    expect(first.map((job) => job.id)).toEqual([queued[0]]);
    expect(second.map((job) => job.id)).toEqual([queued[1]]);
  });

  it('take no more jobs than the worker asks for', async () => {
    const userId = randomUUID();
    const queued = await queueJobs(userId, 6, 5);

    const claimed = await new JobClaimer(admin, new OutboxWriter('jobs'), leaseTerms()).claim(userId, 2);

    expect(claimed.map((job) => job.id)).toEqual(queued.slice(0, 2));
  });

  it("hold each job they start under a lease of the configured length, in the claimer's name", async () => {
    // given
    const userId = randomUUID();
    const [queued] = await queueJobs(userId, 1);
    const lease = leaseTerms(45);

    // when
    await new JobClaimer(admin, new OutboxWriter('jobs'), lease).claim(userId, 1);

    // then
    const [row] = await admin.query(
      `SELECT worker_id, extract(epoch FROM lease_expires_at - started_at) AS seconds FROM jobs.jobs WHERE id = $1`,
      [queued],
    );
    expect(row.worker_id).toBe(lease.holder);
    expect(Number(row.seconds)).toBeCloseTo(45, 0);
  });

  it("count the client's running jobs only after a concurrent claim for it has committed", async () => {
    // given another worker in the middle of a claim for the client: it holds the client's lock
    // and has started a job this claimer cannot see yet (nor collide with)
    const userId = randomUUID();
    const [queued] = await queueJobs(userId, 1);
    const other = new Client({ connectionString: database.adminUrl });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query(LOCK_CLIENT_SQL, [userId]);
      await other.query(`INSERT INTO jobs.jobs (id, user_id, type, input, status) VALUES ($1, $2, 'echo', '{}', 'running')`, [
        randomUUID(),
        userId,
      ]);

      // when this claimer tries meanwhile
      const claim = new JobClaimer(admin, new OutboxWriter('jobs'), leaseTerms()).claim(userId, 5);
      await waitFor(
        async () => (await admin.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`)).length === 1,
        { description: 'the claim to wait for the lock' },
      );
      await other.query('COMMIT');

      // then it sees the other worker's job and starts nothing (the client may run one job)
      expect(await claim).toEqual([]);
      expect((await admin.query(`SELECT status FROM jobs.jobs WHERE id = $1`, [queued]))[0].status).toBe('queued');
    } finally {
      await other.end();
    }
  });
});
