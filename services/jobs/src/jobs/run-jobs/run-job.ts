import { Logger } from '@nestjs/common';
import { isDatabaseUnavailable } from '@conveyor/persistence';
import { Attr, restoreTraceContext, tracer } from '@conveyor/tracing';
import { DEFAULT_MAX_ATTEMPTS, DEFAULT_TIMEOUT_MS, type JobProcessor } from '../../processors/job-processor';
import { PermanentJobError } from '../../processors/processor.errors';
import type { ProcessorRegistry } from '../../processors/processor-registry';
import { JobResults } from '../../results/job-results';
import type { JobFinisher } from './finish-job';
import { outcomeOf, STOP_MESSAGES, type JobOutcome, type Settled, type StopReason } from './job-outcome';
import type { JobRow } from './job-row';
import { retryDelayMs, type RetryBackoff } from './retry-delay';

/** One claimed job in a worker's hands. */
export interface JobRun {
  job: JobRow;
  controller: AbortController;
  /** Set when the run is aborted from outside, before the signal fires. */
  stopped?: StopReason;
}

export interface JobRunnerOptions {
  /** Run time limits by job type, over the processors' own `timeoutMs` (JOB_TIMEOUTS_MS). */
  timeouts: Readonly<Record<string, number>>;
  backoff: RetryBackoff;
}

/** Runs a claimed job's processor and records how the run ended. */
export class JobRunner {
  private readonly logger = new Logger(JobRunner.name);

  constructor(
    private readonly processors: ProcessorRegistry,
    private readonly finisher: JobFinisher,
    private readonly options: JobRunnerOptions,
    private readonly results: JobResults = new JobResults(),
  ) {}

  /** The run is a span in the job's own trace, so the events it writes carry that trace on. */
  execute(run: JobRun): Promise<void> {
    const { job } = run;
    const attributes = { [Attr.jobId]: job.id, [Attr.userId]: job.user_id };
    return tracer().startActiveSpan(`run job ${job.type}`, { attributes }, restoreTraceContext(job.trace_context), async (span) => {
      try {
        const processor = this.processors.get(job.type);
        const timeoutMs = this.options.timeouts[job.type] ?? processor?.timeoutMs ?? DEFAULT_TIMEOUT_MS;
        const deadline = setTimeout(() => stopRun(run, 'timeout'), timeoutMs);
        const settled = await this.runProcessor(processor, run).finally(() => clearTimeout(deadline));
        const outcome = outcomeOf(settled, run.stopped, job.attempts, processor?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
        await this.record(job, outcome);
      } finally {
        span.end();
      }
    });
  }

  private async runProcessor(processor: JobProcessor | undefined, { job, controller }: JobRun): Promise<Settled> {
    if (!processor) {
      return { ok: false, error: new PermanentJobError('JOBS.UNKNOWN_JOB_TYPE', `No processor runs jobs of type ${job.type}.`) };
    }
    // Checked at submission too; this catches rows written under an older schema.
    const invalid = processor.inputSchema.validate(job.input).error;
    if (invalid) return { ok: false, error: new PermanentJobError('JOBS.INVALID_INPUT', invalid.message) };
    try {
      return { ok: true, value: await processor.process(job.input, { signal: controller.signal, jobId: job.id, attempt: job.attempts }) };
    } catch (error) {
      return { ok: false, error };
    }
  }

  private async record(job: JobRow, outcome: JobOutcome): Promise<void> {
    switch (outcome.kind) {
      case 'succeeded': {
        const result = this.results.prepare(job.id, outcome.result);
        const applied = await this.persist(() =>
          result === undefined
            ? this.finisher.fail(job, { code: 'JOBS.RESULT_NOT_JSON', message: 'The job produced a result that cannot be stored.' })
            : this.finisher.succeed(job, result),
        );
        if (!applied) this.logger.log(`Job ${job.id} ended after it was canceled or taken over; its result is discarded`);
        return;
      }
      case 'failed':
        if (outcome.unexpected) this.logger.error(`Processor of job ${job.id} (${job.type}) crashed: ${describe(outcome.unexpected)}`);
        await this.persist(() => this.finisher.fail(job, outcome));
        return;
      case 'retry':
        await this.persist(() => this.finisher.requeue(job, 'claimed', retryDelayMs(job.attempts, this.options.backoff)));
        return;
      case 'handed_back':
        await this.persist(() => this.finisher.requeue(job));
        return;
      case 'abandoned':
        return;
    }
  }

  /** A short database outage should not strand a finished job in `running`. */
  private async persist(write: () => Promise<boolean>): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await write();
      } catch (error) {
        if (!isDatabaseUnavailable(error) || attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  }
}

/**
 * Aborts a run from outside: the processor sees the signal, and `record` knows why. The first
 * reason wins; a run already stopped keeps its reason.
 */
export function stopRun(run: JobRun, reason: StopReason): void {
  if (run.stopped) return;
  run.stopped = reason;
  run.controller.abort(new DOMException(STOP_MESSAGES[reason], 'AbortError'));
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
