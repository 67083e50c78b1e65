// End to end: echo jobs submitted at a fixed rate (open loop: a slow answer does not slow the
// submissions down) with a webhookUrl pointing at a loopback receiver that verifies every
// Standard Webhooks signature. Latency is from sending the POST to the webhook's arrival.
import { createServer, Agent, request as httpRequest } from 'node:http';
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { sleep, summarize, TimeSeries } from './stats.mjs';

export class WebhookReceiver {
  constructor(clients) {
    this.verifiers = clients.map((c) => new Webhook(c.webhookSecret));
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
          message = verifier.verify(Buffer.concat(chunks).toString('utf8'), req.headers);
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

const agent = new Agent({ keepAlive: true, maxSockets: 1024 });

function submit(url, apiKey, body) {
  return new Promise((resolve) => {
    const payload = Buffer.from(JSON.stringify(body));
    const req = httpRequest(
      `${url}/v1/jobs`,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: apiKey,
          'content-type': 'application/json',
          'content-length': payload.length,
          'idempotency-key': randomUUID(),
        },
        timeout: 30_000,
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          let id;
          try {
            id = JSON.parse(Buffer.concat(chunks).toString()).id;
          } catch {
            // not JSON: counted as an error by its status
          }
          resolve({ status: res.statusCode, id });
        });
      },
    );
    req.on('error', (error) => resolve({ status: 0, error: error.message }));
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end(payload);
  });
}

/**
 * Submits `rate` jobs per second for `seconds`, spread over `clients` round robin, then waits up
 * to `drainSeconds` for their webhooks. Returns the figures and the accepted jobs.
 */
export async function runRate({ url, clients, receiver, rate, seconds, drainSeconds, runStartMs, log }) {
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
      const index = sent % clients.length;
      const job = { sentAt: performance.now(), sentWall: Date.now(), client: index };
      jobs.push(job);
      inFlight.push(
        submit(url, clients[index].apiKey, { type: 'echo', input: { n: sent }, webhookUrl: receiver.urlFor(index) }).then((answer) => {
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
