import { createTestDatabase, waitFor, type TestDatabase } from '@conveyor/testing';
import { randomUUID } from 'node:crypto';
import { DataSource, type QueryRunner } from 'typeorm';
import { lockSubject } from '../src/messages/message-queue';
import { lockUser } from '../src/users/deleted-users';

/**
 * The per-user lock that orders a user's events against the user's deletion: events share it,
 * so one user's events never queue behind each other; a deletion waits for every event in
 * flight, and events wait for a deletion in flight. And the per-subject lock that makes one
 * subject's messages one after the other, for ordered endpoints.
 */
describe('the per-user and per-subject locks of webhook-delivery', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  const open: QueryRunner[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await new DataSource({ type: 'postgres', url: db.urlFor('webhook-delivery'), poolSize: 6 }).initialize();
  });

  afterEach(async () => {
    for (const runner of open.splice(0)) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  async function transaction(): Promise<QueryRunner> {
    const runner = dataSource.createQueryRunner();
    open.push(runner);
    await runner.startTransaction();
    return runner;
  }

  /** Starts taking the lock; `granted` tells whether it has been granted yet. */
  function take(runner: QueryRunner, userId: string, mode: 'event' | 'deletion') {
    const state = { granted: false };
    const done = lockUser(runner.manager, userId, mode).then(() => {
      state.granted = true;
    });
    return { state, done };
  }

  async function blockedBackends(): Promise<number> {
    const [{ count }] = await dataSource.query<{ count: number }[]>(
      `SELECT count(*)::int AS count FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'advisory'`,
    );
    return count;
  }

  it("lets one user's events hold the lock together", async () => {
    const userId = randomUUID();
    await take(await transaction(), userId, 'event').done;
    const second = take(await transaction(), userId, 'event');
    await waitFor(() => second.state.granted, { description: 'the second event to get the lock', timeoutMs: 5_000 });
  });

  it('makes a deletion wait for the events in flight, and events wait for a deletion', async () => {
    const userId = randomUUID();
    const event = await transaction();
    await take(event, userId, 'event').done;

    const deletion = await transaction();
    const deleting = take(deletion, userId, 'deletion');
    await waitFor(async () => (await blockedBackends()) === 1, { description: 'the deletion to wait for the lock', timeoutMs: 5_000 });
    expect(deleting.state.granted).toBe(false);

    await event.commitTransaction();
    await deleting.done;

    const later = take(await transaction(), userId, 'event');
    await waitFor(async () => (await blockedBackends()) === 1, { description: 'the later event to wait for the lock', timeoutMs: 5_000 });
    expect(later.state.granted).toBe(false);
    await deletion.commitTransaction();
    await later.done;
  });

  it("makes one subject's messages one at a time, and different subjects' side by side", async () => {
    const [subject, other] = [randomUUID(), randomUUID()];
    const first = await transaction();
    await lockSubject(first.manager, subject);

    const second = await transaction();
    let granted = false;
    const waiting = lockSubject(second.manager, subject).then(() => (granted = true));
    await take(await transaction(), randomUUID(), 'event').done;
    await lockSubject((await transaction()).manager, other);
    await waitFor(async () => (await blockedBackends()) === 1, { description: 'the second message of the subject to wait', timeoutMs: 5_000 });
    expect(granted).toBe(false);

    await first.commitTransaction();
    await waiting;
  });

  it("does not make one user's deletion wait for another user's events", async () => {
    await take(await transaction(), randomUUID(), 'event').done;
    await take(await transaction(), randomUUID(), 'deletion').done;
  });
});
