import { Logger } from '@nestjs/common';
import type { OutboxWriter } from '@conveyor/outbox';
import { PgListener } from '@conveyor/persistence';
import type { OutboundUrlPolicy } from '@conveyor/ssrf-guard';
import { Attr, restoreTraceContext, tracer } from '@conveyor/tracing';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { DataSource } from 'typeorm';
import type { EndpointSecrets } from '../endpoints/endpoint-secrets';
import { DELIVERY_DUE_CHANNEL } from '../messages/message-queue';
import { claimDueAttempts, handBack, type ClaimedAttempt } from './claim-deliveries';
import { recordAttempt, reportInFlight } from './delivery-metrics';
import { finishAttempt, type FinishPolicy } from './finish-attempt';
import { sendAttempt } from './send-attempt';

export interface DeliveryWorkerOptions {
  dataSource: DataSource;
  outbox: OutboxWriter;
  secrets: EndpointSecrets;
  policy: OutboundUrlPolicy;
  finish: Omit<FinishPolicy, 'holder'>;
  listenUrl?: string;
  pollIntervalMs: number;
  concurrency: number;
  perEndpointConcurrency: number;
  timeoutMs: number;
  leaseSeconds: number;
  /** On stop: how long attempts in flight may take before they are aborted. */
  stopGraceMs: number;
}

/**
 * Sends due attempts: claims them (see claimDueAttempts), sends each one, records its outcome
 * (see finishAttempt). It looks for work on NOTIFY (a new or replayed message, an endpoint
 * enabled), when one of its attempts ends, and on a poll, which also picks up retries whose
 * time has come and attempts whose worker died (their lease ran out).
 */
export class DeliveryWorker {
  private readonly logger = new Logger(DeliveryWorker.name);
  private readonly holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly inFlight = new Map<string, { abort: AbortController; done: Promise<void> }>();
  private readonly listener?: PgListener;
  private state: 'idle' | 'running' | 'stopping' = 'idle';
  private claiming?: Promise<void>;
  private claimAgain = false;
  private timer?: NodeJS.Timeout;
  private stopped?: Promise<void>;

  constructor(private readonly options: DeliveryWorkerOptions) {
    if (options.listenUrl) {
      this.listener = new PgListener({
        url: options.listenUrl,
        channels: [DELIVERY_DUE_CHANNEL],
        applicationName: 'webhook-delivery-worker',
        onNotification: () => this.wake(),
        onConnected: () => this.wake(),
      });
    }
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'running';
    this.listener?.start();
    this.timer = setInterval(() => this.wake(), this.options.pollIntervalMs);
    this.wake();
  }

  /** Stops claiming, lets attempts in flight finish for a while, then aborts them. Idempotent. */
  stop(): Promise<void> {
    this.stopped ??= this.stopNow();
    return this.stopped;
  }

  private async stopNow(): Promise<void> {
    this.state = 'stopping';
    clearInterval(this.timer);
    await this.listener?.stop();
    await this.claiming;
    const all = () => Promise.all([...this.inFlight.values()].map((a) => a.done));
    const graceOver = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), this.options.stopGraceMs).unref());
    if ((await Promise.race([all(), graceOver])) === 'late') {
      for (const attempt of this.inFlight.values()) attempt.abort.abort();
      await all();
    }
  }

  private wake(): void {
    if (this.state !== 'running') return;
    if (this.claiming) {
      this.claimAgain = true;
      return;
    }
    this.claiming = this.claimRound().finally(() => {
      this.claiming = undefined;
      if (this.claimAgain) {
        this.claimAgain = false;
        this.wake();
      }
    });
  }

  private async claimRound(): Promise<void> {
    try {
      const attempts = await claimDueAttempts(this.options.dataSource, this.options.outbox, {
        free: this.options.concurrency - this.inFlight.size,
        perEndpoint: this.options.perEndpointConcurrency,
        leaseSeconds: this.options.leaseSeconds,
        holder: this.holder,
        schedule: this.options.finish.schedule,
        jittered: this.options.finish.jittered,
      });
      for (const attempt of attempts) this.run(attempt);
    } catch (error) {
      this.logger.warn(`Claiming webhook attempts failed: ${(error as Error).message}`);
    }
  }

  private run(attempt: ClaimedAttempt): void {
    const key = `${attempt.deliveryId}:${attempt.number}`;
    const abort = new AbortController();
    const done = this.attempt(attempt, abort.signal)
      .catch((error: unknown) => {
        // The attempt is lost: once the lease and the schedule's next delay have passed, another round retries it.
        this.logger.error(`Webhook attempt ${key} could not be recorded: ${(error as Error).message}`);
      })
      .finally(() => {
        this.inFlight.delete(key);
        reportInFlight(this.inFlight.size);
        this.wake();
      });
    this.inFlight.set(key, { abort, done });
    reportInFlight(this.inFlight.size);
  }

  /** One span per attempt, in the trace of the message: the HTTP call and the outcome's events join it. */
  private attempt(attempt: ClaimedAttempt, signal: AbortSignal): Promise<void> {
    const attributes = {
      [Attr.userId]: attempt.userId,
      [Attr.eventType]: attempt.eventType,
      [Attr.webhookMessageId]: attempt.messageId,
      [Attr.webhookEndpointId]: attempt.endpointId,
      [Attr.webhookAttempt]: attempt.number,
    };
    return tracer().startActiveSpan('deliver webhook', { attributes }, restoreTraceContext(attempt.traceContext), async (span) => {
      try {
        await this.send(attempt, signal);
      } finally {
        span.end();
      }
    });
  }

  private async send(attempt: ClaimedAttempt, signal: AbortSignal): Promise<void> {
    const { dataSource, secrets, policy, timeoutMs, outbox, finish } = this.options;
    const signing = await secrets.signing(dataSource, {
      userId: attempt.userId,
      endpointId: attempt.kind === 'subscription' ? attempt.endpointId : null,
    });
    if (signing.length === 0 && attempt.kind === 'job_url') {
      signing.push(await dataSource.transaction((manager) => secrets.currentDefault(manager, attempt.userId)));
    }
    const record = await sendAttempt(attempt, signing, { policy, timeoutMs, signal });
    if (signal.aborted) {
      // Stopping: hand the delivery back at once (the next claim marks this attempt lost), so
      // another instance sends it again without waiting for the lease and the backoff.
      await handBack(dataSource, attempt, this.holder);
      return;
    }
    const outcome = await finishAttempt(dataSource, outbox, attempt, record, { ...finish, holder: this.holder });
    recordAttempt(record.result, record.durationMs, outcome);
  }
}
