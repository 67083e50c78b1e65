import { PermanentJobError, TransientJobError } from '../../processors/processor.errors';
import { outcomeOf } from './job-outcome';

const succeeded = { ok: true as const, value: { hello: 'world' } };
const failedWith = (error: unknown) => ({ ok: false as const, error });

describe('the outcome of a run', () => {
  it('records the result of a processor that resolved', () => {
    expect(outcomeOf(succeeded, undefined, 1, 3)).toEqual({ kind: 'succeeded', result: { hello: 'world' } });
  });

  it('fails at once, with its code, on a permanent error', () => {
    const outcome = outcomeOf(failedWith(new PermanentJobError('JOBS.ECHO_FAILED', 'boom')), undefined, 1, 3);
    expect(outcome).toEqual({ kind: 'failed', code: 'JOBS.ECHO_FAILED', message: 'boom' });
  });

  it('hands a transient failure back to the queue until the attempts are used up', () => {
    const error = new TransientJobError('JOBS.VENDOR_UNAVAILABLE', 'vendor answered 503');
    expect(outcomeOf(failedWith(error), undefined, 2, 3)).toEqual({ kind: 'retry' });
    expect(outcomeOf(failedWith(error), undefined, 3, 3)).toEqual({
      kind: 'failed',
      code: 'JOBS.VENDOR_UNAVAILABLE',
      message: 'vendor answered 503',
    });
  });

  it('treats a run stopped at its time limit as a transient JOBS.JOB_TIMEOUT, unless it still succeeded', () => {
    const aborted = failedWith(new DOMException('stopped', 'AbortError'));
    expect(outcomeOf(aborted, 'timeout', 1, 3)).toEqual({ kind: 'retry' });
    expect(outcomeOf(aborted, 'timeout', 3, 3)).toMatchObject({ kind: 'failed', code: 'JOBS.JOB_TIMEOUT' });
    expect(outcomeOf(succeeded, 'timeout', 3, 3)).toEqual({ kind: 'succeeded', result: { hello: 'world' } });
  });

  it('reports an unexpected error as a crash, without its details', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'x')");
    expect(outcomeOf(failedWith(bug), undefined, 1, 3)).toEqual({
      kind: 'failed',
      code: 'JOBS.PROCESSOR_CRASHED',
      message: 'The job failed unexpectedly.',
      unexpected: bug,
    });
  });

  it('writes nothing for a canceled run, even one that completed', () => {
    expect(outcomeOf(succeeded, 'canceled', 1, 3)).toEqual({ kind: 'abandoned' });
    expect(outcomeOf(failedWith(new DOMException('canceled', 'AbortError')), 'canceled', 1, 3)).toEqual({ kind: 'abandoned' });
  });

  it('hands a run aborted by the shutdown back, but keeps one that completed anyway', () => {
    expect(outcomeOf(failedWith(new DOMException('stopping', 'AbortError')), 'shutdown', 1, 3)).toEqual({ kind: 'handed_back' });
    expect(outcomeOf(succeeded, 'shutdown', 1, 3)).toEqual({ kind: 'succeeded', result: { hello: 'world' } });
  });

  it('hands back a run stopped because its lease was lost, but keeps one that completed anyway', () => {
    expect(outcomeOf(failedWith(new DOMException('lease lost', 'AbortError')), 'lost', 1, 3)).toEqual({ kind: 'handed_back' });
    expect(outcomeOf(succeeded, 'lost', 1, 3)).toEqual({ kind: 'succeeded', result: { hello: 'world' } });
  });
});
