// End to end: echo jobs submitted through the client SDK at a fixed rate (open loop: a slow
// answer does not slow the submissions down) with a webhookUrl pointing at a loopback receiver
// that verifies every Standard Webhooks signature with the SDK's WebhookVerifier. Latency is from
// sending the POST to the webhook's arrival.
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { sdkUrls } from './clients.mjs';
import { ConveyorApiError, ConveyorClient, WebhookVerifier } from './sdk.mjs';
import { sleep, summarize, TimeSeries } from './stats.mjs';

export class WebhookReceiver {
  constructor(clients) {
    this.verifiers = clients.map((c) => new WebhookVerifier(c.webhookSecret));
    this.arrivals = new Map(); // jobId -> { at, type }
    this.duplicates = 0;
    this.badSignatures = 0;
    this.otherEvents = 0;
  }

  async start() {
    this.server = createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const at = performance.now();
        const index = Number(req.url.match(/^\/hook\/(\d+)$/)?.[1]);
        const verifier = this.verifiers[index];
        let message;
        try {
          message = verifier.verify(Buffer.concat(chunks), req.headers);
        } catch {
          this.badSignatures++;
          res.writeHead(400).end();
          return;
        }
        const jobId = message?.data?.jobId;
        if (!jobId || !message.type.startsWith('jobs.job.')) this.otherEvents++;
        else if (this.arrivals.has(jobId)) this.duplicates++;
        else this.arrivals.set(jobId, { at, wall: Date.now(), type: message.type });
        res.writeHead(204).end();
      });
    });
    this.server.keepAliveTimeout = 60_000;
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = this.server.address().port;
  }

  urlFor(index) {
    return `http://127.0.0.1:${this.port}/hook/${index}`;
  }

  async stop() {
    this.server.closeAllConnections?.();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/**
 * The SDK client each bench client submits with while a rate is measured: its API key, no
 * retries (a refused submission counts as refused, not as a late success) and a 30 s limit per
 * request. Every submission still carries its own Idempotency-Key, as the SDK always sends one;
 * `onExchange` gives the answer's status.
 */
export function submitter(urls, client) {
  const statuses = new Map(); // Idempotency-Key -> HTTP status
  const sdk = new ConveyorClient({
    urls: sdkUrls(urls),
    apiKey: client.apiKey,
    userAgent: 'conveyor-bench',
    retry: { maxRetries: 0 },
    fetch: (url, init) => fetch(url, { ...init, signal: init?.signal ?? AbortSignal.timeout(30_000) }),
    onExchange: (exchange) => statuses.set(exchange.requestHeaders['idempotency-key'], exchange.status),
  });
  return async function submit(request) {
    const idempotencyKey = randomUUID();
    try {
      const { id } = await sdk.jobs.submit({ ...request, idempotencyKey });
      return { status: statuses.get(idempotencyKey), id };
    } catch (error) {
      return { status: error instanceof ConveyorApiError ? error.status : 0, error: error.message };
    } finally {
      statuses.delete(idempotencyKey);
    }
  };
}

/**
 * Submits `rate` jobs per second for `seconds`, spread round robin over the clients' `submitters`
 * (from `submitter`, in the receiver's client order), then waits up to `drainSeconds` for their
 * webhooks. Returns the figures and the accepted jobs.
 */
export async function runRate({ submitters, receiver, rate, seconds, drainSeconds, runStartMs, log }) {
  const series = new TimeSeries(`e2e ${rate}/s`);
  const total = Math.round(rate * seconds);
  const jobs = []; // { sentAt, sentWall, id, client }
  const statuses = {};
  const inFlight = [];
  const start = performance.now();
  const startWall = Date.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
    for (; sent < due; sent++) {
      const index = sent % submitters.length;
      const job = { sentAt: performance.now(), sentWall: Date.now(), client: index };
      jobs.push(job);
      inFlight.push(
        submitters[index]({ type: 'echo', input: { n: sent }, webhookUrl: receiver.urlFor(index) }).then((answer) => {
          statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
          job.status = answer.status;
          if (answer.status === 202) job.id = answer.id;
          job.answeredAt = performance.now();
        }),
      );
    }
    await sleep(2);
  }
  const submitSeconds = (performance.now() - start) / 1000;
  await Promise.all(inFlight);
  const accepted = jobs.filter((j) => j.id);
  const deadline = performance.now() + drainSeconds * 1000;
  while (performance.now() < deadline && accepted.some((j) => !receiver.arrivals.has(j.id))) await sleep(100);

  const latencies = [];
  const submitLatencies = [];
  for (const job of accepted) {
    submitLatencies.push(job.answeredAt - job.sentAt);
    const arrival = receiver.arrivals.get(job.id);
    if (!arrival) continue;
    const latency = arrival.at - job.sentAt;
    latencies.push(latency);
    series.add(job.sentWall - runStartMs, latency);
  }
  const e2e = summarize(latencies);
  const late = accepted.length - latencies.length;
  const result = {
    phase: 'end to end',
    rate,
    seconds,
    submitted: total,
    achievedSubmitRate: Math.round(total / submitSeconds),
    accepted: accepted.length,
    statusCodes: statuses,
    arrived: latencies.length,
    notArrivedInTime: late,
    latencyMs: { p50: e2e.p50, p95: e2e.p95, p99: e2e.p99, max: e2e.max },
    submitLatencyMs: summarize(submitLatencies),
    // Sustained: everything accepted and delivered within the wait, p99 within 1 s, and the
    // generator kept the rate.
    sustained: accepted.length === total && late === 0 && e2e.p99 !== null && e2e.p99 <= 1000 && total / submitSeconds >= rate * 0.95,
    window: { startMs: startWall, endMs: Date.now() },
    series: series.points(),
  };
  log?.(
    `e2e ${rate}/s: ${accepted.length}/${total} accepted, ${latencies.length} arrived, p50 ${e2e.p50} ms p99 ${e2e.p99} ms${result.sustained ? '' : ' (not sustained)'}`,
  );
  return { result, jobs: accepted };
}
