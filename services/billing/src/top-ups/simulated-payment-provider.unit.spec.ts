import { TransientPaymentError } from './payment-provider';
import { SimulatedPaymentProvider } from './simulated-payment-provider';

const request = (paymentId = 'p-1') => ({ paymentId, userId: 'u-1', credits: 10 });
const quiet = { latencyMs: 0, failureRate: 0, declineRate: 0, failFirst: 0 };

describe('the simulated payment provider', () => {
  it('fails the first N calls of each payment transiently, then succeeds', async () => {
    // given
    const provider = new SimulatedPaymentProvider({ ...quiet, failFirst: 2 });
    const signal = new AbortController().signal;

    // when / then
    await expect(provider.charge(request(), signal)).rejects.toBeInstanceOf(TransientPaymentError);
    await expect(provider.charge(request('p-2'), signal)).rejects.toBeInstanceOf(TransientPaymentError);
    await expect(provider.charge(request(), signal)).rejects.toBeInstanceOf(TransientPaymentError);
    await expect(provider.charge(request(), signal)).resolves.toEqual({ outcome: 'succeeded' });
  });

  it('declines when chance says so and nothing failed', async () => {
    const provider = new SimulatedPaymentProvider({ ...quiet, declineRate: 0.5, random: () => 0.3 });

    await expect(provider.charge(request(), new AbortController().signal)).resolves.toEqual({
      outcome: 'declined',
      reason: 'declined',
    });
  });

  it('fails transiently when chance says so', async () => {
    const provider = new SimulatedPaymentProvider({ ...quiet, failureRate: 0.5, random: () => 0.2 });

    await expect(provider.charge(request(), new AbortController().signal)).rejects.toBeInstanceOf(TransientPaymentError);
  });

  it('stops waiting when the call is aborted', async () => {
    const provider = new SimulatedPaymentProvider({ ...quiet, latencyMs: 60_000 });
    const abort = new AbortController();

    const charging = provider.charge(request(), abort.signal);
    abort.abort();

    await expect(charging).rejects.toMatchObject({ name: 'AbortError' });
  });
});
