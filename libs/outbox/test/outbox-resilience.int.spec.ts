import { connect } from 'amqplib';
import {
  startThrowawayPostgres,
  startThrowawayRabbitMq,
  TEST_AMQP_URL,
  waitFor,
  type ThrowawayPostgres,
  type ThrowawayRabbitMq,
} from '@conveyor/testing';
import type { RelayPublisher } from '../src';
import { newEvent, startOutboxHarness, type OutboxHarness } from './outbox-harness';

describe('Outbox relay under load and failure', () => {
  describe('two relays on one outbox', () => {
    let h: OutboxHarness;
    beforeAll(async () => {
      h = await startOutboxHarness();
    });
    afterAll(() => h?.close());

    it('publishes every event once while two relays compete for the rows', async () => {
      // given two relays, each with its own connection pool, racing for the same rows
      const other = await h.openDataSource('second-relay');
      const counts = [0, 0];
      // Each publish takes a little while, as over a real network, so that one relay cannot
      // drain everything before the other has woken up: both must get rows to share.
      const counting = (relay: number): RelayPublisher => ({
        isReady: () => h.publisher.isReady(),
        publish: async (event) => {
          await new Promise((resolve) => setTimeout(resolve, 20));
          await h.publisher.publish(event);
          counts[relay] += 1;
        },
      });
      h.relay({ batchSize: 50, publisher: counting(0) });
      h.relay({ dataSource: other, batchSize: 50, publisher: counting(1) });

      // when 2,000 events are committed by 20 concurrent writers
      const events = Array.from({ length: 2_000 }, () => newEvent());
      const writers = Array.from({ length: 20 }, (_, w) => events.filter((_, i) => i % 20 === w));
      await Promise.all(
        writers.map(async (mine) => {
          for (let i = 0; i < mine.length; i += 10) await h.commit(...mine.slice(i, i + 10));
        }),
      );

      // then every event reaches the broker exactly once and every row is marked
      await waitFor(() => h.received.length >= events.length, { description: 'all 2,000 events', timeoutMs: 60_000 });
      expect(new Set(h.received).size).toBe(events.length);
      expect(h.received).toHaveLength(events.length);
      // a row is marked in the relay's transaction after its batch was confirmed, which can
      // be a moment after the probe saw the message
      await waitFor(async () => (await h.unpublished()) === 0, { description: 'every row to be marked published' });
      // and both relays did part of the work
      expect(counts[0]).toBeGreaterThan(0);
      expect(counts[1]).toBeGreaterThan(0);
      expect(counts[0] + counts[1]).toBe(events.length);
    });
  });

  describe('while the database restarts', () => {
    let postgres: ThrowawayPostgres;
    let h: OutboxHarness;
    beforeAll(async () => {
      postgres = await startThrowawayPostgres();
      h = await startOutboxHarness(TEST_AMQP_URL, postgres.adminUrl);
    }, 60_000);
    afterAll(async () => {
      await h?.close();
      await postgres?.destroy();
    });

    it('listens again after the restart, so a commit is published without waiting for a poll', async () => {
      // given a relay that would poll only once a minute
      h.relay({ pollIntervalMs: 60_000 });
      const listening = () =>
        h.dataSource.query(
          "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'outbox-listener' AND query LIKE 'LISTEN%'",
        );
      await waitFor(async () => (await listening()).length > 0, { description: 'the relay to LISTEN' });

      // when the database restarts
      await postgres.stop('fast');
      await postgres.start();
      await waitFor(async () => (await listening()).length > 0, { description: 'the relay to LISTEN again', timeoutMs: 15_000 });

      // then a new commit is published at once
      const event = newEvent();
      await h.commit(event);
      await waitFor(() => h.received.includes(event.id), { description: 'the event, woken by NOTIFY', timeoutMs: 3_000 });
    }, 60_000);
  });

  describe('while the broker is down', () => {
    let broker: ThrowawayRabbitMq;
    let h: OutboxHarness;
    beforeAll(async () => {
      broker = await startThrowawayRabbitMq();
      h = await startOutboxHarness(broker.url);
    }, 60_000);
    afterAll(async () => {
      await h?.close();
      await broker?.destroy();
    });

    it('keeps committed events and publishes them all when the broker returns', async () => {
      h.relay();
      const before = newEvent();
      await h.commit(before);
      await waitFor(() => h.received.includes(before.id), { description: 'the first event' });
      await waitFor(async () => (await h.unpublished()) === 0, { description: 'the first event to be marked' });

      await broker.stop();
      const during = Array.from({ length: 25 }, () => newEvent());
      for (const event of during) await h.commit(event);
      expect(await h.unpublished()).toBe(during.length);

      await broker.start();
      await waitFor(async () => (await h.unpublished()) === 0, { description: 'the backlog to drain', timeoutMs: 45_000 });
      // The probe's consumer died with the old broker process; the durable queue kept the rest.
      const probe = await connect(broker.url);
      const { messageCount } = await (await probe.createChannel()).checkQueue(h.names.queue);
      await probe.close();
      expect(messageCount).toBe(during.length);
    }, 90_000);
  });
});
