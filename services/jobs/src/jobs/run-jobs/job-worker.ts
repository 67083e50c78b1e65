import { Logger } from '@nestjs/common';
import { context, ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import type { OutboxWriter } from '@conveyor/outbox';
import { PgListener } from '@conveyor/persistence';
import type { DataSource } from 'typeorm';
import type { ProcessorRegistry } from '../../processors/processor-registry';
import type { JobResults } from '../../results/job-results';
import { JobClaimer } from './claim-jobs';
import { JOB_CANCELED_CHANNEL } from './job-channels';
import { JobFinisher } from './finish-job';
import { JobLeases, leaseTerms } from './job-lease';
import type { StopReason } from './job-outcome';
import type { JobRow } from './job-row';
import { LeaseKeeper, type HeldRun } from './keep-leases';
import { LostJobReaper } from './reap-lost-jobs';
import { describe, JobRunner, stopRun, type JobRun, type JobRunnerOptions } from './run-job';

/** What became of a "work available" token: used (ack it) or handed back for another worker. */
export type TokenOutcome = 'done' | 'handed_back';

/** The work queue's subscription: a worker with no room pauses it, leaving tokens to the others. */
export interface TokenFlow {
  pause(): void;
  resume(): void;
}

export interface JobWorkerOptions {
  dataSource: DataSource;
  outbox: OutboxWriter;
  processors: ProcessorRegistry;
  /** Connection string for LISTEN (cancels reach running jobs by it); without it the worker only polls. */
  listenUrl?: string;
  /** Look for work (the fallback for tokens, and how retry delays end), missed cancels and lost jobs this often. */
  pollIntervalMs: number;
  /** The subscription that feeds `takeToken`, paused while this worker has no room. */
  tokenFlow?: TokenFlow;
  /** Jobs this worker runs at once, across all clients. */
  concurrency: number;
  /** On stop: how long running jobs may take to finish on their own before they are aborted. */
  finishGraceMs: number;
  /** On stop: how long aborted jobs get to wind down; a run still going after that keeps its job. */
  abortGraceMs: number;
  /** How long a claim or a renewal holds a job (JOB_LEASE_SECONDS; 30 s when not given); renewed every third of it. */
  leaseSeconds?: number;
  /** Run time limits by type and the backoff after transient failures (defaults: none, 1 s to 5 min). */
  runs?: Partial<JobRunnerOptions>;
  /** How results are stored; without it, only JSON results can be. */
  results?: JobResults;
}

type Run = JobRun & HeldRun & { done?: Promise<void> };
/** A token waiting for its claim round, with the trace it arrived in (its consumer span). */
type TokenWaiter = { resolve(outcome: TokenOutcome): void; reject(error: unknown): void; trace: Context };

/** Clients a scan considers; enough that a few blocked ones cannot starve others. */
const CANDIDATES_PER_SCAN = 100;

/**
 * Token rounds (each for another client) that may run at once. One at a time capped a worker
 * at one client's batch per round trip to Postgres: the full bench at 50 jobs/s had only one
 * client running at any moment while the seven others waited seconds with free slots.
 */
const PARALLEL_TOKEN_ROUNDS = 4;

/**
 * Runs queued jobs: claims them (see JobClaimer for how plans and order hold across workers),
 * runs their processors, and records how each run ended. Work reaches it as "work available"
 * tokens from the work queue (`takeToken`, one claim round for the token's client), and a poll
 * looks over every client as the fallback (retry delays that ended, anything a token missed).
 * While it has no room it pauses its subscription, so tokens go to workers that have some. A
 * cancel reaches a running job through NOTIFY (or the poll's check) and aborts its processor.
 * Stopping lets running jobs finish for a while, then aborts them; those that stop are handed
 * back to the queue.
 *
 * Each claimed job is held by a lease that this worker renews while the run lasts. A worker
 * that dies, hangs or gives up on a job stops renewing, and once the lease runs out any
 * worker's poll frees the job (see LostJobReaper), so a job is never stuck in `running`.
 */
export class JobWorker {
  private readonly logger = new Logger(JobWorker.name);
  private readonly runs = new Map<string, Run>();
  private readonly claimer: JobClaimer;
  private readonly finisher: JobFinisher;
  private readonly leaseKeeper: LeaseKeeper;
  private readonly reaper: LostJobReaper;
  private readonly runner: JobRunner;
  private readonly notifications?: PgListener;
  private state: 'idle' | 'running' | 'stopping' = 'idle';
  private claiming?: Promise<void>;
  private claimAgain = false;
  /** A scan over every client with claimable work was asked for (start, poll). */
  private scanWanted = false;
  /** Clients with tokens waiting for a claim round, in arrival order; one round serves them all. */
  private readonly tokens = new Map<string, TokenWaiter[]>();
  /**
   * Token rounds in flight, by client (never two for one client: they would queue on its lock),
   * with the slots each may still fill: together they never take more than the room.
   */
  private readonly rounds = new Map<string, { share: number; done: Promise<void> }>();
  private checking = false;
  private reaping?: Promise<unknown>;
  private pollTimer?: NodeJS.Timeout;
  private stopped?: Promise<void>;

  constructor(private readonly options: JobWorkerOptions) {
    const lease = leaseTerms(options.leaseSeconds);
    const leases = new JobLeases(options.dataSource, lease);
    this.claimer = new JobClaimer(options.dataSource, options.outbox, lease);
    this.finisher = new JobFinisher(options.dataSource, options.outbox);
    this.leaseKeeper = new LeaseKeeper(leases, lease.seconds * 1000, {
      current: () => [...this.runs.values()],
      lose: (jobId) => this.stopRun(jobId, 'lost'),
    });
    this.reaper = new LostJobReaper(leases, this.finisher, options.processors);
    this.runner = new JobRunner(
      options.processors,
      this.finisher,
      {
        timeouts: options.runs?.timeouts ?? {},
        backoff: options.runs?.backoff ?? { baseDelayMs: 1_000, maxDelayMs: 300_000 },
      },
      options.results,
    );
    if (options.listenUrl) {
      this.notifications = new PgListener({
        url: options.listenUrl,
        channels: [JOB_CANCELED_CHANNEL],
        applicationName: 'jobs-worker-listener',
        onNotification: (_channel, jobId) => {
          if (jobId) this.stopRun(jobId, 'canceled');
        },
        onConnected: () => void this.checkRunsStillOurs(),
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
      this.reapLostJobs();
    }, this.options.pollIntervalMs);
    this.leaseKeeper.start();
    this.updateTokenFlow();
    this.wake();
  }

  /** Idempotent; resolves once every run has ended, been handed back, or been left to its lease. */
  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  /** Ids of the jobs this worker is running now. */
  runningJobs(): string[] {
    return [...this.runs.keys()];
  }

  /** Looks for claimable work of every client (start, poll). */
  wake(): void {
    this.scanWanted = true;
    this.pump();
  }

  /**
   * A "work available" token for `userId`: one claim round for that client, under the client's
   * lock (JobClaimer.claim), as soon as a round can start (see serveTokens). It answers `done` once
   * the round committed, whether or not it started anything: a token that finds the client at
   * its limit, nothing queued, or an earlier job still pending is simply dropped, because the
   * next change that frees a slot or unblocks the order writes a new one. Repeated and
   * redelivered tokens are harmless by construction: a round starts only what the plan and
   * the order allow at that moment, so a second round over the same state starts nothing.
   * Tokens for one client that wait together are served by one round. A worker with no room,
   * or stopping, hands the token back for another worker.
   */
  takeToken(userId: string): Promise<TokenOutcome> {
    if (this.room() <= 0) return Promise.resolve('handed_back');
    return new Promise((resolve, reject) => {
      const waiting = this.tokens.get(userId) ?? [];
      waiting.push({ resolve, reject, trace: context.active() });
      this.tokens.set(userId, waiting);
      this.pump();
    });
  }

  /** A claim round for one client, served with the tokens (none need be waiting). */
  private claimFor(userId: string): void {
    this.wantRound(userId);
    this.pump();
  }

  private wantRound(userId: string): void {
    if (!this.tokens.has(userId)) this.tokens.set(userId, []);
  }

  /** Jobs this worker could still run (what decides whether it takes tokens). */
  private room(): number {
    return this.state === 'running' ? this.options.concurrency - this.runs.size : 0;
  }

  /** Room that no claim round in flight may still fill. */
  private free(): number {
    let reserved = 0;
    for (const round of this.rounds.values()) reserved += round.share;
    return this.room() - reserved;
  }

  /** Runs the claim loop, one at a time; a request during a loop makes it go round again. */
  private pump(): void {
    if (this.state !== 'running') return;
    if (this.claiming) {
      this.claimAgain = true;
      return;
    }
    // The loop serves whatever comes along; it must not stay in the trace of what started it.
    this.claiming = context
      .with(ROOT_CONTEXT, () => this.claimUntilIdle())
      .catch((error) => this.logger.warn(`Claiming jobs failed: ${describe(error)}`))
      .finally(() => {
        this.claiming = undefined;
        // Asked for after the loop last looked, but before it was over: go round once more.
        if (this.claimAgain) this.pump();
      });
  }

  private async claimUntilIdle(): Promise<void> {
    do {
      this.claimAgain = false;
      if (this.scanWanted) {
        this.scanWanted = false;
        await this.askForCandidates();
      }
      this.serveTokens();
    } while (this.claimAgain && this.state === 'running');
  }

  /**
   * Starts one claim round per client with waiting tokens, in arrival order, up to
   * PARALLEL_TOKEN_ROUNDS at once and while there is room. The free slots are split between
   * the rounds that start together; a round that fills its share is followed at once by
   * another for its client (and writes a token, see JobClaimer.claim, so that other workers
   * may help). A client whose round is in flight keeps its new tokens for the next round.
   * Each round ends by pumping again.
   */
  private serveTokens(): void {
    let ready = [...this.tokens.keys()].filter((userId) => !this.rounds.has(userId)).length;
    for (const [userId, waiting] of this.tokens) {
      if (this.rounds.size >= PARALLEL_TOKEN_ROUNDS || this.free() <= 0) break;
      if (this.rounds.has(userId)) continue;
      this.tokens.delete(userId);
      const share = this.shareOfFreeSlots(ready);
      ready -= 1;
      const done = this.serveRound(userId, waiting, share).then((filled) => {
        this.rounds.delete(userId);
        // The share was filled: the client may have more to start now; look again at once.
        if (filled) this.claimFor(userId);
        else this.pump();
      });
      this.rounds.set(userId, { share, done });
    }
    this.handBackTokensWithoutRoom();
  }

  /**
   * The free slots a round may fill when `ready` clients wait for one: split between the rounds
   * that can start now, less one slot kept for each round that could still start (a client
   * whose token comes while the round runs). So with WORKER_CONCURRENCY 32 a lone client gets
   * 29, and eight clients get 8 each.
   */
  private shareOfFreeSlots(ready: number): number {
    const startable = PARALLEL_TOKEN_ROUNDS - this.rounds.size;
    const startingNow = Math.max(1, Math.min(startable, ready));
    const keptForLater = startable - startingNow;
    return Math.max(1, Math.floor((this.free() - keptForLater) / startingNow));
  }

  /** One claim round; true when it took its whole share. */
  private async serveRound(userId: string, waiting: TokenWaiter[], max: number): Promise<boolean> {
    try {
      const claimedAt = performance.now();
      const claimed = await context.with(waiting[0]?.trace ?? ROOT_CONTEXT, () => this.claimer.claim(userId, max));
      for (const job of claimed) this.launch(job, claimedAt);
      for (const waiter of waiting) waiter.resolve('done');
      return claimed.length === max;
    } catch (error) {
      // Token waiters hand the error to their consumer; a round nobody waits for logs it.
      if (waiting.length === 0) this.logger.warn(`Claiming jobs of client ${userId} failed: ${describe(error)}`);
      for (const waiter of waiting) waiter.reject(error);
      return false;
    }
  }

  /** The scan: a claim round for every client with claimable work, served like tokens. */
  private async askForCandidates(): Promise<void> {
    if (this.room() <= 0) return;
    for (const userId of await this.claimer.candidates(CANDIDATES_PER_SCAN)) this.wantRound(userId);
  }

  /**
   * When a run ends, the slot it held is free at once, so this worker claims the client's next
   * job itself rather than waiting for the token that the run's last transaction wrote to come
   * back through the outbox and the broker (that token still lets other workers take over).
   */
  private launch(job: JobRow, heldSince: number): void {
    const run: Run = { job, controller: new AbortController(), heldSince };
    this.runs.set(job.id, run);
    this.updateTokenFlow();
    run.done = this.runner.execute(run)
      .catch((error) => this.logger.error(`Job ${job.id} could not be recorded: ${describe(error)}`))
      .finally(() => {
        this.runs.delete(job.id);
        this.updateTokenFlow();
        this.claimFor(job.user_id);
      });
  }

  /** Takes tokens while there is room; without room (or when stopping) leaves them to other workers. */
  private updateTokenFlow(): void {
    if (this.room() > 0) {
      this.options.tokenFlow?.resume();
      return;
    }
    this.options.tokenFlow?.pause();
    this.handBackTokensWithoutRoom();
  }

  private handBackTokensWithoutRoom(): void {
    if (this.room() > 0) return;
    for (const waiting of this.tokens.values()) for (const waiter of waiting) waiter.resolve('handed_back');
    this.tokens.clear();
  }

  private stopRun(jobId: string, reason: StopReason): void {
    const run = this.runs.get(jobId);
    if (run) stopRun(run, reason);
  }

  /** Frees jobs whose worker lost its lease; one pass at a time per worker. */
  private reapLostJobs(): void {
    if (this.state !== 'running' || this.reaping) return;
    this.reaping = this.reaper
      .reap()
      .catch((error) => this.logger.warn(`Freeing lost jobs failed: ${describe(error)}`))
      .finally(() => (this.reaping = undefined));
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
   * and gives them `abortGraceMs` to hand themselves back. Leases are renewed all along.
   *
   * A processor that ignores its signal keeps its job: handing the job back while the
   * processor may still be running would let another instance run it at the same time. The
   * job stays `running` under a lease nobody renews, and a reaper frees it once that runs out
   * (after the process has exited, normally). If the processor reports before then, its
   * outcome is recorded as usual.
   */
  private async shutdown(): Promise<void> {
    if (this.state === 'idle') return;
    this.state = 'stopping';
    clearInterval(this.pollTimer);
    this.updateTokenFlow();
    await Promise.all([this.claiming, ...[...this.rounds.values()].map((round) => round.done), this.reaping]);
    await this.settleRuns(this.options.finishGraceMs);
    for (const id of this.runs.keys()) this.stopRun(id, 'shutdown');
    await this.settleRuns(this.options.abortGraceMs);
    await this.leaseKeeper.stop();
    for (const id of this.runs.keys()) {
      this.logger.warn(`Job ${id} did not stop when aborted; it stays running until its lease runs out, then another worker takes it`);
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
