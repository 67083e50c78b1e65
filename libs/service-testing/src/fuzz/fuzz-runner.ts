import fc from 'fast-check';
import { request as httpRequest } from 'node:http';
import { STACK_TRACE } from '../http-reply';
import { hostileRequest, refusedRequest, type FuzzCredentials, type FuzzRoute, type RawRequest } from './hostile-requests';

/**
 * The seeded default keeps `npm test` short; `FUZZ_RUNS` scales the fuzz up (it is the number of
 * requests of the whole fuzz suite, shared by the five services' specs), `FUZZ_SEED` replays a run.
 */
export const FUZZ_SEED = Number(process.env['FUZZ_SEED'] ?? 9);
const TOTAL_RUNS = process.env['FUZZ_RUNS'] ? Number(process.env['FUZZ_RUNS']) : undefined;

/** Runs for one property: `share` of FUZZ_RUNS in a full run, else `defaultRuns`. */
export function fuzzRuns(defaultRuns: number, share: number): number {
  return TOTAL_RUNS ? Math.max(defaultRuns, Math.ceil(TOTAL_RUNS * share)) : defaultRuns;
}

/** Generous when the fuzz is scaled up. */
export const FUZZ_TIMEOUT_MS = TOTAL_RUNS ? 30 * 60_000 : 60_000;

export interface RawReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * Sends exactly these headers (repeated ones too), each request on a connection of its own (a
 * malformed one may leave a connection unusable); an event stream is cut after its headers.
 */
export function sendRaw(baseUrl: string, request: RawRequest, timeoutMs = 15_000): Promise<RawReply> {
  const url = new URL(request.path, baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method: request.method, headers: request.headers, agent: false },
      (res) => {
        const type = String(res.headers['content-type'] ?? '');
        const chunks: Buffer[] = [];
        if (type.startsWith('text/event-stream')) {
          res.destroy();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: '' });
          return;
        }
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(request.body);
  });
}

/** Why the reply breaks the contract (no 5xx, problem details for every error, no internals), if it does. */
export function contractViolation(reply: RawReply): string | undefined {
  if (reply.status >= 500) return `answered ${reply.status}`;
  if (STACK_TRACE.test(reply.text)) return 'the body shows a stack trace';
  if (reply.status < 400) return undefined;
  const type = String(reply.headers['content-type'] ?? '');
  if (!type.startsWith('application/problem+json')) return `a ${reply.status} that is not a problem document (${type || 'no content type'})`;
  let problem: Record<string, unknown>;
  try {
    problem = JSON.parse(reply.text) as Record<string, unknown>;
  } catch {
    return 'the problem document is not JSON';
  }
  if (problem['status'] !== reply.status) return `the problem's status ${String(problem['status'])} is not ${reply.status}`;
  if (typeof problem['code'] !== 'string' || typeof problem['title'] !== 'string' || typeof problem['detail'] !== 'string') {
    return 'the problem lacks code, title or detail';
  }
  return undefined;
}

/** In a full run (FUZZ_RUNS), each property says how much it sent, for the run's report. */
export function reportFullRun(line: string): void {
  if (TOTAL_RUNS) console.info(`fuzz (seed ${FUZZ_SEED}): ${line}`);
}

export interface FuzzStats {
  requests: number;
  byStatus: Record<number, number>;
}

/** Requests sent by this process's fuzz properties (for the run's report). */
export const fuzzStats: FuzzStats = { requests: 0, byStatus: {} };

async function sendAndCheck(baseUrl: string, request: RawRequest): Promise<RawReply> {
  const reply = await sendRaw(baseUrl, request).catch((error: Error) => {
    throw new Error(`${request.method} ${request.path.slice(0, 200)} [${request.mutations.join('; ')}]: ${error.message}`);
  });
  fuzzStats.requests += 1;
  fuzzStats.byStatus[reply.status] = (fuzzStats.byStatus[reply.status] ?? 0) + 1;
  const violation = contractViolation(reply);
  if (violation) {
    throw new Error(`${request.method} ${request.path.slice(0, 200)} [${request.mutations.join('; ')}]: ${violation}\n${JSON.stringify(reply.headers)}\n${reply.text.slice(0, 500)}`);
  }
  return reply;
}

/** Every route, every kind of mutation: never a 5xx, every error a problem document. */
export async function fuzzRoutes(baseUrl: string, routes: FuzzRoute[], credentials: FuzzCredentials, numRuns: number): Promise<void> {
  const requests = fc.constantFrom(...routes).chain((route) => hostileRequest(route, credentials));
  await check(
    fc.asyncProperty(requests, async (request) => {
      await sendAndCheck(baseUrl, request);
    }),
    numRuns,
  );
}

/** Like fc.assert, but reports the failure without printing the (possibly megabyte-long) request. */
async function check(property: fc.IAsyncProperty<[RawRequest]>, numRuns: number): Promise<void> {
  const started = performance.now();
  const sent = fuzzStats.requests;
  const details = await fc.check(property, { seed: FUZZ_SEED, numRuns, endOnFailure: true });
  if (TOTAL_RUNS) reportFullRun(`${fuzzStats.requests - sent} HTTP requests in ${Math.round(performance.now() - started)} ms`);
  if (details.failed) {
    const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    throw new Error(`fuzz failed after ${details.numRuns} runs (seed ${details.seed}, path ${details.counterexamplePath}): ${cause}`);
  }
}

/**
 * Requests the service must refuse (see refusedRequest): each gets a 4xx problem (a GET may
 * also answer), and together they leave `snapshot()` as it was.
 */
export async function fuzzRefusedRoutes(
  baseUrl: string,
  routes: FuzzRoute[],
  credentials: FuzzCredentials,
  numRuns: number,
  snapshot: () => Promise<Record<string, string>>,
): Promise<void> {
  const before = await snapshot();
  const requests = fc.constantFrom(...routes).chain((route) => refusedRequest(route, credentials));
  await check(
    fc.asyncProperty(requests, async (request) => {
      const reply = await sendAndCheck(baseUrl, request);
      if (request.method !== 'GET' && reply.status < 400) {
        throw new Error(`${request.method} ${request.path} [${request.mutations.join('; ')}] was accepted (${reply.status})`);
      }
    }),
    numRuns,
  );
  expect(await snapshot()).toEqual(before);
}
