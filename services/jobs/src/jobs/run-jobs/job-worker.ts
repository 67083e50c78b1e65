import { Logger } from '@nestjs/common';
import type { OutboxWriter } from '@conveyor/outbox';
import type { DataSource } from 'typeorm';
import type { ProcessorRegistry } from '../../processors/processor-registry';
import { JobClaimer } from './claim-jobs';
import { JobFinisher } from './finish-job';
import { JobNotifications } from './job-notifications';
import type { StopReason } from './job-outcome';
import type { JobRow } from './job-row';
import { describe, JobRunner, type JobRun } from './run-job';

export interface JobWorkerOptions {
  dataSource: DataSource;
  outbox: OutboxWriter;
  processors: ProcessorRegistry;
  /** Connection string for LISTEN; without it the worker only polls. */
  listenUrl?: string;
  /** Look for work (and for cancels missed by LISTEN) this often. */
  pollIntervalMs: number;
  /** Jobs this worker runs at once, across all clients. */
  concurrency: number;
  /** On stop: how long running jobs may take to finish on their own before they are aborted. */
  finishGraceMs: number;
  /** On stop: how long aborted jobs get to wind down before they are handed back regardless. */
  abortGraceMs: number;
}

type Run = JobRun & { done?: Promise<void> };

/** Clients considered per claiming round; enough that a few blocked ones cannot starve others. */
const CANDIDATES_PER_ROUND = 100;

/**
 * Runs queued jobs: claims them (see JobClaimer for how plans and order hold across workers),
 * runs their processors, and records how each run ended. It wakes when a job is queued
 * (NOTIFY), when one of its own runs ends, and on a poll. A cancel reaches a running job
 * through NOTIFY (or the poll's check) and aborts its processor. Stopping lets running jobs
 * finish for a while, then aborts them and hands them back to the queue.
 */
export class JobWorker {
  private readonly logger = new Logger(JobWorker.name);
  private readonly runs = new Map<string, Run>();
  private readonly claimer: JobClaimer;
  private readonly finisher: JobFinisher;
  private readonly runner: JobRunner;
  private readonly notifications?: JobNotifications;
  private state: 'idle' | 'running' | 'stopping' = 'idle';
  private claiming?: Promise<void>;
  private claimAgain = false;
  private checking = false;
  private pollTimer?: NodeJS.Timeout;
  private stopped?: Promise<void>;

  constructor(private readonly options: JobWorkerOptions) {
    this.claimer = new JobClaimer(options.dataSource, options.outbox);
    this.finisher = new JobFinisher(options.dataSource, options.outbox);
    this.runner = new JobRunner(options.processors, this.finisher);
    if (options.listenUrl) {
      this.notifications = new JobNotifications(options.listenUrl, {
        onQueued: () => this.wake(),
        onCanceled: (jobId) => this.stopRun(jobId, 'canceled'),
        onConnected: () => {
          this.wake();
          void this.checkRunsStillOurs();
        },
      });
    }
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'running';
    this.notifications?.start();
    this.pollTimer = setInterval(() => {
      this.wake();
      void this.checkRunsStillOurs();
    }, this.options.pollIntervalMs);
    this.wake();
  }

  /** Idempotent; resolves once every run has ended or been handed back. */
  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  /** Ids of the jobs this worker is running now. */
  runningJobs(): string[] {
    return [...this.runs.keys()];
  }

  /** Claims work until there is none it may take; a wake during a round makes it look again. */
  wake(): void {
    if (this.state !== 'running') return;
    if (this.claiming) {
      this.claimAgain = true;
      return;
    }
    this.claiming = this.claimUntilIdle()
      .catch((error) => this.logger.warn(`Claiming jobs failed: ${describe(error)}`))
      .finally(() => (this.claiming = undefined));
  }

  private async claimUntilIdle(): Promise<void> {
    do {
      this.claimAgain = false;
      while (await this.claimRound());
    } while (this.claimAgain && this.state === 'running');
  }

  /** One pass over the clients with claimable work; true if it started anything. */
  private async claimRound(): Promise<boolean> {
    const free = () => (this.state === 'running' ? this.options.concurrency - this.runs.size : 0);
    if (free() <= 0) return false;
    let started = false;
    for (const userId of await this.claimer.candidates(CANDIDATES_PER_ROUND)) {
      if (free() <= 0) break;
      const jobs = await this.claimer.claim(userId, free());
      for (const job of jobs) this.launch(job);
      started ||= jobs.length > 0;
    }
    return started;
  }

  private launch(job: JobRow): void {
    const run: Run = { job, controller: new AbortController() };
    this.runs.set(job.id, run);
    run.done = this.runner.execute(run)
      .catch((error) => this.logger.error(`Job ${job.id} could not be recorded: ${describe(error)}`))
      .finally(() => {
        this.runs.delete(job.id);
        this.wake();
      });
  }

  /** Aborts a run of ours; the processor sees the signal, and `record` knows why. */
  private stopRun(jobId: string, reason: StopReason): void {
    const run = this.runs.get(jobId);
    if (!run || run.stopped) return;
    run.stopped = reason;
    const message = reason === 'canceled' ? 'The job was canceled.' : 'The worker is shutting down.';
    run.controller.abort(new DOMException(message, 'AbortError'));
  }

  /**
   * The fallback for a missed NOTIFY: a run whose job is no longer `running` at the attempt we
   * claimed has been canceled (or taken from us), so its processor is aborted.
   */
  private async checkRunsStillOurs(): Promise<void> {
    if (this.checking || this.runs.size === 0) return;
    this.checking = true;
    try {
      const ids = [...this.runs.keys()];
      const rows: { id: string; status: string; attempts: number }[] = await this.options.dataSource.query(
        `SELECT id, status, attempts FROM jobs.jobs WHERE id = ANY($1::uuid[])`,
        [ids],
      );
      for (const id of ids) {
        const row = rows.find((r) => r.id === id);
        const run = this.runs.get(id);
        if (run && (row?.status !== 'running' || row.attempts !== run.job.attempts)) this.stopRun(id, 'canceled');
      }
    } catch (error) {
      this.logger.warn(`Checking running jobs failed: ${describe(error)}`);
    } finally {
      this.checking = false;
    }
  }

  /**
   * Stops claiming, gives running jobs `finishGraceMs` to end on their own, aborts the rest
   * and gives them `abortGraceMs` to hand themselves back. A processor that ignores its signal
   * has its job handed back anyway; what it writes later is refused by the attempt guard.
   */
  private async shutdown(): Promise<void> {
    if (this.state === 'idle') return;
    this.state = 'stopping';
    clearInterval(this.pollTimer);
    await this.claiming;
    await this.settleRuns(this.options.finishGraceMs);
    for (const id of this.runs.keys()) this.stopRun(id, 'shutdown');
    await this.settleRuns(this.options.abortGraceMs);
    for (const run of [...this.runs.values()]) {
      await this.finisher.requeue(run.job).catch((error) => this.logger.error(`Handing back job ${run.job.id} failed: ${describe(error)}`));
    }
    await this.notifications?.stop();
  }

  private async settleRuns(withinMs: number): Promise<void> {
    const runs = [...this.runs.values()].map((run) => run.done);
    if (runs.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, withinMs)));
    await Promise.race([Promise.allSettled(runs), deadline]);
    clearTimeout(timer);
  }
}
