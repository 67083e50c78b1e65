import { Injectable } from '@nestjs/common';
import Joi from 'joi';
import { abortableDelay } from './abortable-delay';
import type { JobProcessor, ProcessorContext } from './job-processor';
import { PermanentJobError } from './processor.errors';

interface EchoInput {
  /** Waits this long before answering (abortable), to simulate slow work. */
  delayMs?: number;
  /** Fails permanently with `JOBS.ECHO_FAILED` and this message (after the delay). */
  failWith?: string;
  [field: string]: unknown;
}

/** Returns its input without the control fields; the processor of tests and demos. */
@Injectable()
export class EchoProcessor implements JobProcessor {
  readonly type = 'echo';

  readonly inputSchema = Joi.object({
    delayMs: Joi.number().integer().min(0).max(300_000),
    failWith: Joi.string().min(1).max(1000),
  }).unknown(true);

  async process(input: unknown, { signal }: ProcessorContext): Promise<unknown> {
    const { delayMs, failWith, ...echoed } = input as EchoInput;
    if (delayMs) await abortableDelay(delayMs, signal);
    if (failWith !== undefined) throw new PermanentJobError('JOBS.ECHO_FAILED', failWith);
    return echoed;
  }
}
