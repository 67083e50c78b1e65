import { Logger } from '@nestjs/common';
import { PgListener } from '@conveyor/persistence';
import type { DataSource } from 'typeorm';
import { InOrder } from './in-order';

/** One row of `jobs.job_status_log`: a status a job entered. */
export interface StatusChange {
  /** The log id, increasing; a stream's event id. */
  id: bigint;
  jobId: string;
  userId: string;
  type: string;
  status: string;
  at: Date;
}

export type StatusListener = (change: StatusChange) => void;

export interface JobStatusFeedOptions {
  dataSource: DataSource;
  /** Connection string for LISTEN; without it the feed only polls. */
  listenUrl?: string;
  /** Look for changes this often even without a NOTIFY. */
  pollIntervalMs: number;
  /** How long a missing id may hold back later ones before it is taken as rolled back. */
  gapTimeoutMs: number;
  /** Log rows older than this are deleted (a stream cannot resume from before it). */
  retentionHours: number;
}

export const STATUS_CHANGED_CHANNEL = 'jobs_status_changed';
const BATCH = 500;
const PRUNE_EVERY_MS = 10 * 60_000;

const SELECT_CHANGES = `SELECT id, job_id AS "jobId", user_id AS "userId", type, status, at FROM jobs.job_status_log`;
type Row = Omit<StatusChange, 'id'> & { id: string };
const toChange = (row: Row): StatusChange => ({ ...row, id: BigInt(row.id) });

/**
 * Every status change of every job, pushed to this instance's live streams in log order,
 * whichever instance made the change. The log is written by a trigger and announced by
 * NOTIFY; the feed reads it in id order and keeps a watermark: every change up to it has been
 * handed to the listeners.
 *
 * Changes are released strictly in id order (see InOrder), so a stream that resumes from an id
 * can rely on having seen every earlier change.
 */
export class JobStatusFeed {
  private readonly logger = new Logger(JobStatusFeed.name);
  private readonly listeners = new Map<string, Set<StatusListener>>();
  private readonly notifications?: PgListener;
  private order?: InOrder;
  private pulling?: Promise<void>;
  private pullAgain = false;
  private timers: NodeJS.Timeout[] = [];
  private gapTimer?: NodeJS.Timeout;
  private running = false;

  constructor(private readonly options: JobStatusFeedOptions) {
    if (options.listenUrl) {
      this.notifications = new PgListener({
        url: options.listenUrl,
        channels: [STATUS_CHANGED_CHANNEL],
        applicationName: 'jobs-status-feed',
        onNotification: () => this.pull(),
        onConnected: () => this.pull(),
      });
    }
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const [{ max }] = await this.options.dataSource.query(`SELECT coalesce(max(id), 0) AS max FROM jobs.job_status_log`);
    this.order = new InOrder(BigInt(max), this.options.gapTimeoutMs);
    this.notifications?.start();
    this.timers = [
      setInterval(() => this.pull(), this.options.pollIntervalMs),
      setInterval(() => void this.prune(), PRUNE_EVERY_MS),
    ];
  }

  async stop(): Promise<void> {
    this.running = false;
    this.timers.forEach(clearInterval);
    clearTimeout(this.gapTimer);
    await this.pulling;
    await this.notifications?.stop();
  }

  /** Every change up to this id has been handed to the listeners (or skipped as rolled back). */
  delivered(): bigint {
    if (!this.order) throw new Error('The job status feed has not started');
    return this.order.watermark;
  }

  /** Calls `listener` with each new change of the client's jobs until the returned function is called. */
  subscribe(userId: string, listener: StatusListener): () => void {
    let forClient = this.listeners.get(userId);
    if (!forClient) this.listeners.set(userId, (forClient = new Set()));
    forClient.add(listener);
    return () => {
      forClient.delete(listener);
      if (forClient.size === 0) this.listeners.delete(userId);
    };
  }

  /** The client's changes after `afterId` up to `upToId`, oldest first, optionally of one job. */
  async history(userId: string, { afterId, upToId, jobId }: { afterId: bigint; upToId: bigint; jobId?: string }): Promise<StatusChange[]> {
    const rows: Row[] = await this.options.dataSource.query(
      `${SELECT_CHANGES} WHERE user_id = $1 AND id > $2 AND id <= $3 AND ($4::uuid IS NULL OR job_id = $4) ORDER BY id`,
      [userId, afterId.toString(), upToId.toString(), jobId ?? null],
    );
    return rows.map(toChange);
  }

  /** Reads what is new; one read at a time, and a request during a read makes it read again. */
  private pull(): void {
    if (!this.running || !this.order) return;
    if (this.pulling) {
      this.pullAgain = true;
      return;
    }
    this.pulling = this.pullUntilCaughtUp()
      .catch((error) => this.logger.warn(`Reading job status changes failed: ${(error as Error).message}`))
      .finally(() => (this.pulling = undefined));
  }

  private async pullUntilCaughtUp(): Promise<void> {
    do {
      this.pullAgain = false;
      const rows: Row[] = await this.options.dataSource.query(`${SELECT_CHANGES} WHERE id > $1 ORDER BY id LIMIT ${BATCH}`, [
        this.delivered().toString(),
      ]);
      const complete = this.deliver(rows.map(toChange));
      if (complete && rows.length === BATCH) this.pullAgain = true;
    } while (this.pullAgain && this.running);
  }

  /** Hands over changes up to the first gap; false when it stopped at one (and will look again soon). */
  private deliver(changes: StatusChange[]): boolean {
    const { ready, blocked } = (this.order as InOrder).take(changes);
    for (const change of ready) {
      for (const listener of this.listeners.get(change.userId) ?? []) listener(change);
    }
    if (blocked) {
      clearTimeout(this.gapTimer);
      this.gapTimer = setTimeout(() => this.pull(), 20);
    }
    return !blocked;
  }

  private async prune(): Promise<void> {
    try {
      await this.options.dataSource.query(`DELETE FROM jobs.job_status_log WHERE at < now() - make_interval(hours => $1)`, [
        this.options.retentionHours,
      ]);
    } catch (error) {
      this.logger.warn(`Pruning the job status log failed: ${(error as Error).message}`);
    }
  }
}
