import { eventsPublished, reportOutboxBacklog } from '@conveyor/metrics';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { EventEnvelope } from '@conveyor/contracts';
import { Attr, restoreTraceContext, tracer, type TraceCarrier, captureTraceContext } from '@conveyor/tracing';
import type { DataSource, QueryRunner } from 'typeorm';
import { outboxChannel } from './outbox-table';
import { PgListener, sqlIdentifier } from '@conveyor/persistence';

/** The publishing side the relay needs: publish with confirms, and whether the broker is up. */
export interface RelayPublisher {
  publish(event: EventEnvelope): Promise<void>;
  isReady(): boolean;
}

export interface OutboxRelayOptions {
  dataSource: DataSource;
  schema: string;
  publisher: RelayPublisher;
  /** Connection string for LISTEN; without it the relay only polls. */
  listenUrl?: string;
  pollIntervalMs: number;
  batchSize?: number;
  /** Published rows older than this are deleted. */
  retentionHours: number;
  pruneIntervalMs?: number;
  /**
   * Failed publishes of one row before it is abandoned (kept, with its last error, but no
   * longer tried). Default 20: about a quarter of an hour with the back-off below.
   */
  maxAttempts?: number;
  onError?: (message: string, error: unknown) => void;
}

interface PendingRow {
  seq: string;
  envelope: EventEnvelope;
  trace_context: TraceCarrier;
}

/**
 * Moves committed outbox rows to the broker. Any number of relays may run against one
 * outbox: each batch is claimed with `FOR UPDATE SKIP LOCKED`, so they share the rows
 * instead of publishing them twice.
 *
 * A row is marked published only after the broker confirmed it, in the transaction that
 * holds its lock. If the relay dies between confirm and mark, the lock goes with its
 * connection and the row is published again: at-least-once, deduplicated by the consumer's
 * inbox on the event id.
 *
 * The relay keeps no high-water mark: every batch asks for all unpublished rows in `seq`
 * order, so a row whose transaction committed after a later row was published is simply
 * picked up by the next batch, never skipped. (Gating on the snapshot's xmin would keep
 * strict `seq` order, but it waits for the oldest transaction in the whole cluster; our
 * consumers tolerate reordering, so we do not pay that latency.)
 */
export class OutboxRelay {
  private readonly listener?: PgListener;
  private pollTimer?: NodeJS.Timeout;
  private pruneTimer?: NodeJS.Timeout;
  private draining?: Promise<void>;
  private drainAgain = false;
  private running = false;
  private stopReportingBacklog?: () => void;

  constructor(private readonly options: OutboxRelayOptions) {
    if (options.listenUrl) {
      // Every commit that wrote outbox rows notifies; after a reconnect, catch up at once.
      this.listener = new PgListener({
        url: options.listenUrl,
        channels: [outboxChannel(options.schema)],
        applicationName: 'outbox-listener',
        onNotification: () => this.wake(),
        onConnected: () => this.wake(),
      });
    }
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopReportingBacklog = reportOutboxBacklog({ service: this.options.schema, read: () => this.backlog() });
    this.listener?.start();
    this.pollTimer = setInterval(() => this.wake(), this.options.pollIntervalMs);
    this.pruneTimer = setInterval(() => void this.prune(), this.options.pruneIntervalMs ?? 60_000);
    this.wake();
  }

  /** Stops waking up, then publishes what is already committed (best effort) and returns. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.stopReportingBacklog?.();
    clearInterval(this.pollTimer);
    clearInterval(this.pruneTimer);
    await this.listener?.stop();
    await this.draining;
    await this.drain().catch((error) => this.report('final outbox flush failed', error));
  }

  /** Asks for a drain; a request during a running drain makes it loop once more. */
  wake(): void {
    if (!this.running) return;
    if (this.draining) {
      this.drainAgain = true;
      return;
    }
    this.draining = this.drainUntilIdle()
      .catch((error) => this.report('outbox relay batch failed', error))
      .finally(() => (this.draining = undefined));
  }

  private async drainUntilIdle(): Promise<void> {
    do {
      this.drainAgain = false;
      await this.drain();
    } while (this.drainAgain && this.running);
  }

  /** Publishes batches until the outbox has nothing ready. Returns how many were published. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      if (!this.options.publisher.isReady()) return total;
      const { claimed, published } = await this.publishBatch();
      total += published;
      if (claimed < (this.options.batchSize ?? 100) || published === 0) return total;
    }
  }

  private async publishBatch(): Promise<{ claimed: number; published: number }> {
    const runner = this.options.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const rows: PendingRow[] = await runner.query(
        `SELECT seq, envelope, trace_context FROM ${this.table}
         WHERE published_at IS NULL AND next_attempt_at <= now() AND attempts < $2
         ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [this.options.batchSize ?? 100, this.maxAttempts],
      );
      const results = await Promise.allSettled(rows.map((row) => this.publishRow(row)));
      const confirmed = rows.filter((_, i) => results[i].status === 'fulfilled');
      const published = confirmed.map((row) => row.seq);
      if (published.length > 0) {
        await runner.query(`UPDATE ${this.table} SET published_at = now() WHERE seq = ANY($1::bigint[])`, [published]);
      }
      await this.recordFailures(runner, rows, results);
      await runner.commitTransaction();
      for (const row of confirmed) eventsPublished.inc({ service: this.options.schema, type: row.envelope.type });
      return { claimed: rows.length, published: published.length };
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  /**
   * A row the broker refused (e.g. unroutable: nobody has bound a queue for its type yet)
   * backs off on its own, so it neither blocks the rows behind it nor spins. After
   * `maxAttempts` it is abandoned: it stays in the table with its last error (an operator can
   * reset `attempts` to send it again) and is pruned like a published row.
   */
  private async recordFailures(runner: QueryRunner, rows: PendingRow[], results: PromiseSettledResult<void>[]) {
    for (const [i, result] of results.entries()) {
      if (result.status === 'fulfilled') continue;
      const { type, id } = rows[i].envelope;
      const [updated]: [{ attempts: number }[], number] = await runner.query(
        `UPDATE ${this.table}
         SET attempts = attempts + 1, last_error = $2,
             next_attempt_at = now() + make_interval(secs => least(power(2, attempts), 60))
         WHERE seq = $1 RETURNING attempts`,
        [rows[i].seq, String((result.reason as Error)?.message ?? result.reason).slice(0, 1000)],
      );
      const abandoned = updated[0]?.attempts >= this.maxAttempts;
      this.report(`publishing ${type} ${id} failed${abandoned ? `; abandoned after ${this.maxAttempts} attempts` : ''}`, result.reason);
    }
  }

  private get maxAttempts(): number {
    return this.options.maxAttempts ?? 20;
  }

  /** The publish span continues the trace stored on the row; the message carries it on. */
  private publishRow(row: PendingRow): Promise<void> {
    const event = row.envelope;
    return tracer().startActiveSpan(
      `publish ${event.type}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          [Attr.messagingSystem]: 'rabbitmq',
          [Attr.messagingOperationType]: 'send',
          [Attr.messagingRoutingKey]: event.type,
          [Attr.messagingMessageId]: event.id,
          [Attr.eventType]: event.type,
          [Attr.eventSubject]: event.subject,
        },
      },
      restoreTraceContext(row.trace_context),
      async (span) => {
        try {
          await this.options.publisher.publish({ ...event, ...captureTraceContext() });
        } catch (error) {
          span.recordException(error as Error);
          span.setStatus({ code: SpanStatusCode.ERROR });
          throw error;
        } finally {
          span.end();
        }
      },
    );
  }

  /** Unpublished rows that may still be sent (abandoned ones excluded), and the oldest one's age. */
  private async backlog(): Promise<{ pending: number; oldestAgeSeconds: number }> {
    const [row] = await this.options.dataSource.query(
      `SELECT count(*)::int AS pending, coalesce(extract(epoch FROM now() - min(created_at)), 0)::float AS age
       FROM ${this.table} WHERE published_at IS NULL AND attempts < $1`,
      [this.maxAttempts],
    );
    return { pending: row.pending, oldestAgeSeconds: row.age };
  }

  /** Deletes published rows past their retention, in bounded chunks. */
  async prune(): Promise<number> {
    let deleted = 0;
    try {
      for (;;) {
        const result: [unknown[], number] = await this.options.dataSource.query(
          `DELETE FROM ${this.table} WHERE seq IN (
             SELECT seq FROM ${this.table}
             WHERE published_at < now() - make_interval(secs => $1)
                OR (published_at IS NULL AND attempts >= $2 AND created_at < now() - make_interval(secs => $1))
             LIMIT 1000)`,
          [this.options.retentionHours * 3600, this.maxAttempts],
        );
        deleted += result[1];
        if (result[1] < 1000) return deleted;
      }
    } catch (error) {
      this.report('outbox prune failed', error);
      return deleted;
    }
  }

  private get table(): string {
    return `"${sqlIdentifier(this.options.schema)}"."outbox"`;
  }

  private report(message: string, error: unknown): void {
    this.options.onError?.(message, error);
  }
}
