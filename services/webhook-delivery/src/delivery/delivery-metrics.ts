import { metricsRegistry } from '@conveyor/metrics';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { AttemptResult } from './attempt-outcome';
import type { FinishOutcome } from './finish-attempt';

const attempts = new Counter({
  name: 'conveyor_webhook_attempts_total',
  help: 'Webhook attempts by what the endpoint answered (2xx, 3xx, 4xx, 5xx, or the error code) and what became of the delivery',
  labelNames: ['answer', 'outcome'] as const,
  registers: [metricsRegistry],
});

const attemptDuration = new Histogram({
  name: 'conveyor_webhook_attempt_duration_seconds',
  help: 'Time from sending a webhook to its answer (or error), by the delivery outcome',
  labelNames: ['outcome'] as const,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30],
  registers: [metricsRegistry],
});

const inFlight = new Gauge({
  name: 'conveyor_webhook_attempts_in_flight',
  help: 'Webhook attempts this instance is sending now',
  registers: [metricsRegistry],
});

type EndpointStates = () => Promise<{ state: string; count: number }[]>;
let readEndpointStates: EndpointStates | undefined;

new Gauge({
  name: 'conveyor_webhook_endpoints',
  help: 'Endpoints by state: circuit closed, open or half_open, or disabled (read from the database at scrape time)',
  labelNames: ['state'] as const,
  registers: [metricsRegistry],
  async collect() {
    this.reset();
    for (const { state, count } of (await readEndpointStates?.().catch(() => undefined)) ?? []) this.set({ state }, count);
  },
});

/** Reports the endpoints' breaker states with every scrape until the returned function is called. */
export function reportEndpointStates(read: EndpointStates): () => void {
  readEndpointStates = read;
  return () => {
    if (readEndpointStates === read) readEndpointStates = undefined;
  };
}

/** A bounded label for what an attempt got back: a status class or an OutboundRequestError code. */
function answerOf(result: AttemptResult): string {
  return result.kind === 'response' ? `${Math.floor(result.status / 100)}xx` : result.code.toLowerCase();
}

export function recordAttempt(result: AttemptResult, durationMs: number, outcome: FinishOutcome): void {
  attempts.inc({ answer: answerOf(result), outcome });
  attemptDuration.observe({ outcome }, durationMs / 1000);
}

export function reportInFlight(count: number): void {
  inFlight.set(count);
}
