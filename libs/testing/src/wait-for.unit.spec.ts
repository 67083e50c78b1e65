import { waitFor } from './wait-for';

describe('waitFor', () => {
  it('returns the first truthy value the probe produces', async () => {
    // given a probe that succeeds on its third call
    let calls = 0;
    const probe = async () => (++calls >= 3 ? { id: calls } : undefined);

    // when
    const result = await waitFor(probe, { description: 'the third call', intervalMs: 1 });

    // then
    expect(result).toEqual({ id: 3 });
    expect(calls).toBe(3);
  });

  it('keeps polling while the probe throws', async () => {
    // given a probe that fails twice before it answers
    let calls = 0;
    const probe = () => {
      calls += 1;
      if (calls < 3) throw new Error('not yet');
      return 'ready';
    };

    // when / then
    await expect(waitFor(probe, { description: 'readiness', intervalMs: 1 })).resolves.toBe('ready');
  });

  it('names the description and the last value when it times out', async () => {
    // given a probe that never holds
    const probe = async () => false;

    // when
    const outcome = waitFor(probe, { description: 'the job to finish', timeoutMs: 30, intervalMs: 5 });

    // then
    await expect(outcome).rejects.toThrow(/waiting for the job to finish; last value: false/);
  });

  it('names the last error when the probe kept failing', async () => {
    // given a probe that always throws
    const failure = new Error('connection refused');
    const probe = async () => {
      throw failure;
    };

    // when
    const outcome = waitFor(probe, { description: 'the broker', timeoutMs: 30, intervalMs: 5 });

    // then
    await expect(outcome).rejects.toThrow(/waiting for the broker; last error: Error: connection refused/);
    await expect(outcome).rejects.toMatchObject({ cause: failure });
  });

  it('gives up at the deadline even when the probe hangs', async () => {
    // given a probe that never settles
    const probe = () => new Promise<never>(() => undefined);
    const startedAt = Date.now();

    // when / then
    await expect(waitFor(probe, { description: 'a hung probe', timeoutMs: 50 })).rejects.toThrow(
      /waiting for a hung probe; the probe never completed/,
    );
    expect(Date.now() - startedAt).toBeLessThan(1_000);
  });
});
