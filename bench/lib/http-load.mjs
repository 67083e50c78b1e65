// Closed-loop HTTP load with autocannon: POST /v1/jobs (each request its own Idempotency-Key)
// and GET /v1/jobs/:id over existing jobs.
import autocannon from 'autocannon';
import { randomUUID } from 'node:crypto';
import { summarize, TimeSeries } from './stats.mjs';

function run(options, series, runStartMs) {
  return new Promise((resolve, reject) => {
    const latencies = [];
    const instance = autocannon({ ...options, latency: true }, (error, result) => (error ? reject(error) : resolve({ result, latencies })));
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      latencies.push(responseTime);
      series.add(Date.now() - runStartMs, responseTime);
    });
  });
}

function figures(phase, connections, { result, latencies }, series) {
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, { count }]) => [code, count]));
  const exact = summarize(latencies);
  return {
    phase,
    connections,
    durationSeconds: result.duration,
    requests: result.requests.total,
    requestsPerSecond: Math.round(result.requests.total / result.duration),
    latencyMs: { p50: exact.p50, p90: exact.p90, p99: exact.p99, max: exact.max, mean: exact.mean },
    statusCodes,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    series: series.points(),
  };
}

/** POST /v1/jobs with an API key, a unique Idempotency-Key and an echo job, for `seconds`. */
export async function postJobs({ url, apiKey, connections, seconds, runStartMs, runId }) {
  const series = new TimeSeries(`POST ${connections}c`);
  let n = 0;
  const body = JSON.stringify({ type: 'echo', input: { bench: runId } });
  const outcome = await run(
    {
      url: `${url}/v1/jobs`,
      connections,
      duration: seconds,
      timeout: 10,
      requests: [
        {
          method: 'POST',
          setupRequest: (request) => ({
            ...request,
            headers: {
              ...request.headers,
              authorization: `Bearer ${apiKey}`,
              'content-type': 'application/json',
              'idempotency-key': `${runId}-${connections}-${n++}-${randomUUID()}`,
            },
            body,
          }),
        },
      ],
    },
    series,
    runStartMs,
  );
  return figures(`POST /v1/jobs`, connections, outcome, series);
}

/** GET /v1/jobs/:id over `ids` (jobs of the key's owner), round robin, for `seconds`. */
export async function getJobs({ url, apiKey, ids, connections, seconds, runStartMs }) {
  const series = new TimeSeries(`GET ${connections}c`);
  let n = 0;
  const outcome = await run(
    {
      url,
      connections,
      duration: seconds,
      timeout: 10,
      requests: [
        {
          method: 'GET',
          setupRequest: (request) => ({
            ...request,
            path: `/v1/jobs/${ids[n++ % ids.length]}`,
            headers: { ...request.headers, authorization: `Bearer ${apiKey}` },
          }),
        },
      ],
    },
    series,
    runStartMs,
  );
  return figures(`GET /v1/jobs/:id`, connections, outcome, series);
}
