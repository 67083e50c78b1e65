import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for a third-party vendor of `vendor.call` jobs, on loopback. What it does with a
 * request is chosen by control fields in the job's payload (see `TestVendorPayload`), so one
 * server serves every case of a spec. It records when each request arrived and every callback
 * it made. Signatures are computed here independently of the jobs service's own code, so a
 * spec also checks that both sides agree on the format.
 */
export interface TestVendorPayload {
  /** Answer this status to the first `failTimes` requests of a job (its Idempotency-Key). */
  failTimes?: number;
  /** The status of those failures (500 unless told). */
  failStatus?: number;
  /** Always answer this status (a refusal), with `{ message: rejectMessage }`. */
  rejectWith?: number;
  rejectMessage?: string;
  /** Wait before answering. */
  delayMs?: number;
  /** Async vendors: what to do after acknowledging (`succeed` unless told). */
  callback?: 'succeed' | 'fail' | 'none' | 'bad-signature';
  callbackDelayMs?: number;
  [field: string]: unknown;
}

export interface VendorRequest {
  /** Arrival time in ms since the epoch, with sub-millisecond precision. */
  at: number;
  jobId: string;
  idempotencyKey: string | undefined;
  headers: IncomingMessage['headers'];
  /** The exact body received. */
  body: string;
  payload: TestVendorPayload;
}

export interface VendorCallback {
  jobId: string;
  status: number;
  body: string;
}

export interface TestVendor {
  readonly name: string;
  readonly url: string;
  readonly requests: VendorRequest[];
  readonly callbacks: VendorCallback[];
  /** Where async callbacks go: the jobs service's base URL (known once it runs). */
  callBackTo(jobsUrl: string): void;
  close(): Promise<void>;
}

export interface TestVendorOptions {
  name: string;
  mode: 'sync' | 'async';
  /** Signs the callbacks (and is what the jobs service must be configured with). */
  secret?: string;
}

/** `conveyor-timestamp` and `conveyor-signature` headers for a callback body. */
export function vendorSignatureHeaders(secret: string, body: string, nowMs = Date.now()): Record<string, string> {
  const timestamp = String(Math.floor(nowMs / 1000));
  const signature = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return { 'conveyor-timestamp': timestamp, 'conveyor-signature': `v1=${signature}` };
}

export async function startTestVendor({ name, mode, secret }: TestVendorOptions): Promise<TestVendor> {
  const requests: VendorRequest[] = [];
  const callbacks: VendorCallback[] = [];
  const failuresSeen = new Map<string, number>();
  const pending = new Set<Promise<void>>();
  const timers = new Set<NodeJS.Timeout>();
  let jobsUrl: string | undefined;
  let closed = false;

  const later = (ms: number, work: () => Promise<void>) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      const running = work().finally(() => pending.delete(running));
      pending.add(running);
    }, ms);
    timers.add(timer);
  };

  const callBack = async (jobId: string, payload: TestVendorPayload) => {
    if (closed || !jobsUrl) return;
    const kind = payload.callback ?? 'succeed';
    const answer =
      kind === 'fail'
        ? { jobId, status: 'failed', error: { message: 'the test vendor failed the job' } }
        : { jobId, status: 'succeeded', result: { vendor: name, echo: payload } };
    const body = JSON.stringify(answer);
    const signingSecret = kind === 'bad-signature' ? `not-${secret}` : (secret ?? '');
    const response = await fetch(`${jobsUrl}/v1/vendors/${name}/callback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...vendorSignatureHeaders(signingSecret, body) },
      body,
    }).catch(() => undefined);
    callbacks.push({ jobId, status: response?.status ?? 0, body: (await response?.text()) ?? '' });
  };

  const handle = async (request: IncomingMessage, response: ServerResponse, at: number) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const { jobId = '', payload = {} } = parse(body);
    const idempotencyKey = request.headers['idempotency-key'] as string | undefined;
    requests.push({ at, jobId, idempotencyKey, headers: request.headers, body, payload });
    if (payload.delayMs) await new Promise((resolve) => setTimeout(resolve, payload.delayMs));

    const key = idempotencyKey ?? jobId;
    const failed = failuresSeen.get(key) ?? 0;
    if (payload.failTimes && failed < payload.failTimes) {
      failuresSeen.set(key, failed + 1);
      return reply(response, payload.failStatus ?? 500, { message: 'the test vendor is failing on purpose' });
    }
    if (payload.rejectWith) return reply(response, payload.rejectWith, { message: payload.rejectMessage ?? 'rejected by the test vendor' });
    if (mode === 'sync') return reply(response, 200, { vendor: name, echo: payload });
    if ((payload.callback ?? 'succeed') !== 'none') later(payload.callbackDelayMs ?? 0, () => callBack(jobId, payload));
    return reply(response, 202, { accepted: true });
  };

  const server: Server = createServer((request, response) => {
    const at = performance.timeOrigin + performance.now();
    handle(request, response, at).catch(() => reply(response, 500, { message: 'the test vendor broke' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    name,
    url: `http://127.0.0.1:${port}/${name}/jobs`,
    requests,
    callbacks,
    callBackTo: (url) => (jobsUrl = url),
    async close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      await Promise.allSettled(pending);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function parse(body: string): { jobId?: string; payload?: TestVendorPayload } {
  try {
    const value: unknown = JSON.parse(body);
    if (!value || typeof value !== 'object') return {};
    const { jobId, payload } = value as { jobId?: unknown; payload?: unknown };
    return {
      jobId: typeof jobId === 'string' ? jobId : undefined,
      payload: payload && typeof payload === 'object' ? (payload as TestVendorPayload) : {},
    };
  } catch {
    return {};
  }
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  if (response.headersSent) return;
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/**
 * The most arrivals inside any window of `windowMs` (sliding; two arrivals exactly `windowMs`
 * apart are in different windows): what a vendor would count against its rate limit.
 */
export function mostRequestsWithin(arrivals: readonly number[], windowMs: number): number {
  const sorted = [...arrivals].sort((a, b) => a - b);
  let most = 0;
  for (let first = 0, last = 0; last < sorted.length; last++) {
    while (sorted[last] - sorted[first] >= windowMs) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}
