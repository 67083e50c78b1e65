import { Injectable } from '@nestjs/common';
import Joi from 'joi';
import { abortableDelay } from './abortable-delay';
import type { JobProcessor, ProcessorContext } from './job-processor';
import { PermanentJobError, TransientJobError } from './processor.errors';

interface EchoInput {
  /** Waits this long before answering (abortable), to simulate slow work. */
  delayMs?: number;
  /** Fails permanently with `JOBS.ECHO_FAILED` and this message (after the delay). */
  failWith?: string;
  /** Fails transiently (`JOBS.ECHO_UNAVAILABLE`, retried) on the first this many attempts. */
  transientFailures?: number;
  [field: string]: unknown;
}

/** Returns its input without the control fields; the processor of tests and demos. */
@Injectable()
export class EchoProcessor implements JobProcessor {
  readonly type = 'echo';

  readonly inputSchema = Joi.object({
    delayMs: Joi.number().integer().min(0).max(300_000),
    failWith: Joi.string().min(1).max(1000),
    transientFailures: Joi.number().integer().min(0).max(10),
  }).unknown(true);

  async process(input: unknown, { signal, attempt }: ProcessorContext): Promise<unknown> {
    const { delayMs, failWith, transientFailures = 0, ...echoed } = input as EchoInput;
    if (delayMs) await abortableDelay(delayMs, signal);
    if (attempt <= transientFailures) {
      throw new TransientJobError('JOBS.ECHO_UNAVAILABLE', `Failing attempt ${attempt} of ${transientFailures} as asked.`);
    }
    if (failWith !== undefined) throw new PermanentJobError('JOBS.ECHO_FAILED', failWith);
    return echoed;
  }
}
