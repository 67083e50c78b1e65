import { InvalidEventError } from '@conveyor/contracts';
import { EventPublisher, topologyNames } from '@conveyor/messaging';
import { deleteBrokerObjects, uniqueName, waitFor } from '@conveyor/testing';
import { newEvent, startOutboxHarness, type OutboxHarness } from './outbox-harness';

describe('Outbox relay (real Postgres and RabbitMQ)', () => {
  let h: OutboxHarness;

  beforeAll(async () => {
    h = await startOutboxHarness();
  });
  afterAll(() => h?.close());
  afterEach(() => h.stopRelays());

  it('publishes exactly the events of a committed transaction and nothing of a rolled-back one', async () => {
    h.relay();
    const rolledBack = newEvent();
    await h.dataSource
      .transaction(async (manager) => {
        await h.writer.add(rolledBack, manager);
        throw new Error('abort');
      })
      .catch(() => undefined);
    const [a, b] = [newEvent(), newEvent()];

    await h.commit(a, b);

    await waitFor(() => h.received.includes(a.id) && h.received.includes(b.id), { description: 'both events' });
    // Later rows were published, so the relay has been past the rolled-back one's place.
    const later = newEvent();
    await h.commit(later);
    await waitFor(() => h.received.includes(later.id), { description: 'a later event' });
    expect(h.received).not.toContain(rolledBack.id);
    expect(h.received.filter((id) => id === a.id)).toHaveLength(1);
  });

  it('refuses to write outside a transaction', async () => {
    await expect(h.writer.add(newEvent(), h.dataSource.manager)).rejects.toThrow(/open transaction/);
  });

  it('refuses an event that breaks its contract, so the transaction that caused it fails', async () => {
    const broken = { ...newEvent(), data: { userId: 'not-a-uuid' } };

    await expect(h.commit(broken as never)).rejects.toThrow(InvalidEventError);
    const [{ n }] = await h.dataSource.query('SELECT count(*)::int AS n FROM auth.outbox WHERE event_id = $1', [broken.id]);
    expect(n).toBe(0);
  });

  it('never skips a row whose transaction commits after a later row was published', async () => {
    h.relay();
    // given a transaction that holds an earlier outbox row open
    const runner = h.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    const early = newEvent();
    await h.writer.add(early, runner.manager);

    // when a later transaction commits and is published first
    const late = newEvent();
    await h.commit(late);
    await waitFor(() => h.received.includes(late.id), { description: 'the later row to be published' });
    await runner.commitTransaction();
    await runner.release();

    // then the earlier row is published too
    await waitFor(() => h.received.includes(early.id), { description: 'the late-committed row to be published' });
  });

  it('wakes on NOTIFY instead of waiting for the next poll', async () => {
    h.relay({ pollIntervalMs: 60_000 });
    const event = newEvent();
    await waitFor(
      async () =>
        (await h.dataSource.query(
          "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'outbox-listener' AND query LIKE 'LISTEN%'",
        )).length > 0,
      { description: 'the relay to LISTEN' },
    );
    await h.commit(event);
    await waitFor(() => h.received.includes(event.id), { description: 'the event without polling', timeoutMs: 3_000 });
  });

  it('records the failure and backs off a row the broker cannot route', async () => {
    // given a publisher whose exchange has no queue bound at all
    const nowhere = publisherToNowhere(h);
    h.relay({ publisher: nowhere });
    const event = newEvent();

    await h.commit(event);

    const row = await waitFor(
      async () =>
        (
          await h.dataSource.query(
            'SELECT last_error, next_attempt_at > now() AS later FROM auth.outbox WHERE event_id = $1 AND attempts > 0',
            [event.id],
          )
        )[0],
      { description: 'the unroutable row to record its failure' },
    );
    expect(row.last_error).toMatch(/No queue is bound/);
    expect(row.later).toBe(true);
    await nowhere.close();
    await deleteBrokerObjects({ exchanges: [nowhere.exchange] });
  });

  it('publishes a row of a type declared without consumers although no queue is bound', async () => {
    // given a publisher whose exchange has no queue bound, for which the event's type may go unheard
    const event = newEvent();
    const nowhere = publisherToNowhere(h, [event.type]);
    h.relay({ publisher: nowhere });

    await h.commit(event);

    // then the row is marked published at its first attempt, with no error recorded
    const row = await waitFor(
      async () =>
        (await h.dataSource.query('SELECT attempts, last_error FROM auth.outbox WHERE event_id = $1 AND published_at IS NOT NULL', [event.id]))[0],
      { description: 'the row to be published' },
    );
    expect(row).toEqual({ attempts: 0, last_error: null });
    await nowhere.close();
    await deleteBrokerObjects({ exchanges: [nowhere.exchange] });
  });

  it('abandons a row after its last allowed attempt, keeping it with its error', async () => {
    // given a publisher that can never route, and a relay allowed two attempts per row
    const nowhere = publisherToNowhere(h);
    const relay = h.relay({ publisher: nowhere, maxAttempts: 2 });
    const event = newEvent();
    await h.commit(event);
    const attemptsOf = async () =>
      (await h.dataSource.query('SELECT attempts FROM auth.outbox WHERE event_id = $1', [event.id]))[0].attempts;
    await waitFor(async () => (await attemptsOf()) === 1, { description: 'the first failed attempt' });

    // when its back-off is over twice
    for (let i = 0; i < 3; i++) {
      await h.dataSource.query("UPDATE auth.outbox SET next_attempt_at = now() - interval '1 second' WHERE event_id = $1", [event.id]);
      await relay.drain();
    }

    // then it was tried exactly twice and is left alone
    expect(await attemptsOf()).toBe(2);
    await nowhere.close();
    await deleteBrokerObjects({ exchanges: [nowhere.exchange] });
  });

  it('deletes published rows once they are past their retention', async () => {
    const relay = h.relay({ retentionHours: 0 });
    await h.commit(newEvent());
    await waitFor(async () => (await h.unpublished()) === 0, { description: 'everything published' });
    await relay.prune();
    const [{ n }] = await h.dataSource.query('SELECT count(*) AS n FROM auth.outbox WHERE published_at IS NOT NULL');
    expect(Number(n)).toBe(0);
  });
});

/** A publisher on an exchange of its own that no queue is bound to. */
function publisherToNowhere(h: OutboxHarness, withoutConsumers: string[] = []) {
  const names = topologyNames(uniqueName('nowhere'), 'nobody');
  return Object.assign(new EventPublisher(h.connection, names, undefined, withoutConsumers), { exchange: names.exchange });
}
