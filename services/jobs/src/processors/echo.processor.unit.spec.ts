import { EchoProcessor } from './echo.processor';
import { PermanentJobError, TransientJobError } from './processor.errors';

describe('the echo processor', () => {
  const echo = new EchoProcessor();
  const context = (signal = new AbortController().signal, attempt = 1) => ({ signal, jobId: 'a-job', attempt });

  it('returns its input without the control fields', async () => {
    // given
    const input = { text: 'hello', nested: { n: 1 }, delayMs: 0 };
    // when
    const result = await echo.process(input, context());
    // then
    expect(result).toEqual({ text: 'hello', nested: { n: 1 } });
  });

  it('fails permanently with JOBS.ECHO_FAILED and the given message', async () => {
    const failure = echo.process({ failWith: 'as asked' }, context());
    await expect(failure).rejects.toBeInstanceOf(PermanentJobError);
    await expect(failure).rejects.toMatchObject({ code: 'JOBS.ECHO_FAILED', message: 'as asked' });
  });

  it('fails transiently on its first transientFailures attempts, then answers', async () => {
    const input = { text: 'again', transientFailures: 2 };
    const signal = new AbortController().signal;
    await expect(echo.process(input, context(signal, 1))).rejects.toBeInstanceOf(TransientJobError);
    await expect(echo.process(input, context(signal, 2))).rejects.toMatchObject({ code: 'JOBS.ECHO_UNAVAILABLE' });
    await expect(echo.process(input, context(signal, 3))).resolves.toEqual({ text: 'again' });
  });

  it('waits for delayMs, and stops waiting as soon as it is aborted', async () => {
    // given a long delay
    const controller = new AbortController();
    const began = Date.now();
    const running = echo.process({ delayMs: 60_000 }, context(controller.signal));
    // when
    const reason = new DOMException('canceled', 'AbortError');
    setTimeout(() => controller.abort(reason), 20);
    // then
    await expect(running).rejects.toBe(reason);
    expect(Date.now() - began).toBeLessThan(1_000);
  });

  it('accepts any object with well-formed control fields', () => {
    expect(echo.inputSchema.validate({ anything: [1, 2], delayMs: 10, failWith: 'x' }).error).toBeUndefined();
    expect(echo.inputSchema.validate({ delayMs: -1 }).error).toBeDefined();
    expect(echo.inputSchema.validate({ failWith: 3 }).error).toBeDefined();
    expect(echo.inputSchema.validate('text').error).toBeDefined();
  });
});
