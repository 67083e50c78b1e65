import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The process's metrics, served as Prometheus text at `GET /metrics`. Besides the series below,
 * it has Node's own (CPU, memory, event loop lag, GC) under their standard names.
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

const registers = [metricsRegistry];
const LATENCY_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const httpRequests = new Counter({
  name: 'http_requests_total',
  help: 'HTTP requests answered, by method, route template and status code',
  labelNames: ['method', 'route', 'status'] as const,
  registers,
});

export const httpRequestDuration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'Time from a request arriving to its response being sent, by method, route template and status code',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: LATENCY_BUCKETS,
  registers,
});

/**
 * Every delivery a consumer handled, by what became of it: `applied` (the handler ran and
 * committed), `duplicate` (the inbox had it already; skipped), `skipped` (the service's prefilter
 * said it cannot concern it: acked without a transaction), `retry` (the handler failed;
 * the message goes back to the queue), `dead_lettered` (invalid, unknown, or out of retries).
 */
export const eventsConsumed = new Counter({
  name: 'conveyor_events_consumed_total',
  help: 'Event deliveries handled by a consumer, by event type and outcome',
  labelNames: ['consumer', 'type', 'outcome'] as const,
  registers,
});

export const eventsPublished = new Counter({
  name: 'conveyor_outbox_published_total',
  help: 'Events the outbox relay published and the broker confirmed, by event type',
  labelNames: ['service', 'type'] as const,
  registers,
});

/** What an outbox holds now; read from the database when the metrics are scraped. */
export interface OutboxBacklog {
  service: string;
  read(): Promise<{ pending: number; oldestAgeSeconds: number }>;
}

const backlogs = new Set<OutboxBacklog>();

/** Reports the outbox's backlog with every scrape until the returned function is called. */
export function reportOutboxBacklog(backlog: OutboxBacklog): () => void {
  backlogs.add(backlog);
  return () => backlogs.delete(backlog);
}

async function readBacklogs() {
  const read = await Promise.all(
    [...backlogs].map(async (backlog) => ({ service: backlog.service, now: await backlog.read().catch(() => undefined) })),
  );
  return read.filter((entry) => entry.now !== undefined) as { service: string; now: { pending: number; oldestAgeSeconds: number } }[];
}

new Gauge({
  name: 'conveyor_outbox_pending_rows',
  help: 'Outbox rows not yet published (including rows waiting out a retry)',
  labelNames: ['service'] as const,
  registers,
  async collect() {
    this.reset();
    for (const { service, now } of await readBacklogs()) this.set({ service }, now.pending);
  },
});

new Gauge({
  name: 'conveyor_outbox_oldest_pending_age_seconds',
  help: 'Age of the oldest unpublished outbox row (0 when none)',
  labelNames: ['service'] as const,
  registers,
  async collect() {
    this.reset();
    for (const { service, now } of await readBacklogs()) this.set({ service }, now.oldestAgeSeconds);
  },
});
