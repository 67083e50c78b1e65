import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { addressVerdict } from './blocked-address';
import { checkOutboundUrl, type OutboundUrlPolicy } from './check-outbound-url';

export type OutboundRequestErrorCode =
  /** The URL itself was refused (scheme, credentials, a host that resolves to a blocked address). */
  | 'URL_REFUSED'
  /** The address the socket was about to connect to is blocked (DNS changed since the URL check). */
  | 'ADDRESS_BLOCKED'
  | 'TIMEOUT'
  /** The response body is longer than `maxResponseBytes` (with `overflow: 'error'`). */
  | 'TOO_LARGE'
  /** DNS failure, refused or reset connection, TLS error, malformed response. */
  | 'NETWORK'
  | 'ABORTED';

/**
 * Why an outbound request did not produce a response. `message` may be shown to whoever
 * supplied the URL; `detail` (internal addresses, socket errors) is for logs only.
 */
export class OutboundRequestError extends Error {
  constructor(
    readonly code: OutboundRequestErrorCode,
    message: string,
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'OutboundRequestError';
  }
}

export interface GuardedRequestOptions {
  policy: OutboundUrlPolicy;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Limit for the whole exchange: resolving, connecting, sending and reading the body. */
  timeoutMs: number;
  /** Longest response body read. */
  maxResponseBytes: number;
  /** A longer body fails the request with `TOO_LARGE` (`error`, the default) or is cut (`truncate`). */
  overflow?: 'error' | 'truncate';
  signal?: AbortSignal;
}

export interface GuardedResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** True when the body was cut at `maxResponseBytes`. */
  truncated: boolean;
}

/**
 * Makes one HTTP(S) request to a URL that someone outside the platform chose, safely:
 * - the URL passes `checkOutboundUrl` first;
 * - the socket connects only to an address that passes the same policy, checked in the
 *   socket's own lookup, so a DNS answer that changes after the check (DNS rebinding) is
 *   refused too;
 * - redirects are never followed: a 3xx comes back as a response, and a caller that wants to
 *   follow it calls `guardedRequest` again for the new URL, which checks it again;
 * - one deadline covers the whole exchange, and the body is read only up to a cap.
 */
export async function guardedRequest(input: string | URL, options: GuardedRequestOptions): Promise<GuardedResponse> {
  const check = await checkOutboundUrl(input, options.policy);
  if (!check.ok) throw new OutboundRequestError('URL_REFUSED', check.reason, check.detail);
  if (options.signal?.aborted) throw aborted();
  return send(check.url, options);
}

function send(url: URL, options: GuardedRequestOptions): Promise<GuardedResponse> {
  const { policy, signal } = options;
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<GuardedResponse>((resolve, reject) => {
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      outcome();
    };
    const fail = (error: unknown) => {
      request.destroy();
      finish(() => reject(asOutboundError(error)));
    };

    const request = client.request(url, {
      method: options.method ?? 'GET',
      headers: options.headers,
      agent: agentFor(policy, client),
      lookup: guardedLookup(policy),
    });
    const timer = setTimeout(
      () => fail(new OutboundRequestError('TIMEOUT', `no complete answer within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    const onAbort = () => fail(aborted());
    signal?.addEventListener('abort', onAbort, { once: true });

    request.on('error', fail);
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let length = 0;
      const done = (truncated: boolean) =>
        finish(() =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks, length),
            truncated,
          }),
        );
      const overflow = () => {
        if (options.overflow === 'truncate') {
          done(true);
          response.destroy();
        } else {
          fail(new OutboundRequestError('TOO_LARGE', `the response is larger than ${options.maxResponseBytes} bytes`));
        }
      };
      const declared = Number(response.headers['content-length']);
      if (options.overflow !== 'truncate' && declared > options.maxResponseBytes) return overflow();

      response.on('data', (chunk: Buffer) => {
        if (settled) return;
        const room = options.maxResponseBytes - length;
        chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
        length += Math.min(chunk.length, room);
        if (chunk.length > room) overflow();
      });
      response.on('end', () => done(false));
      response.on('error', fail);
    });
    request.end(options.body);
  });
}

/**
 * A socket lookup that resolves the host itself and refuses to connect when any of its
 * addresses is blocked by `policy` (the same rule as `checkOutboundUrl`).
 */
function guardedLookup(policy: OutboundUrlPolicy): LookupFunction {
  const resolve = policy.lookup ?? ((host: string) => dnsLookup(host, { all: true, verbatim: true }));
  return (hostname, lookupOptions, callback) => {
    resolve(hostname).then(
      (answers) => {
        const addresses = answers.map(({ address }) => ({ address, family: isIP(address) }));
        const blocked = addresses.find(({ address }) => addressVerdict(address, policy));
        if (addresses.length === 0) {
          callback(new OutboundRequestError('NETWORK', `the host ${hostname} has no addresses`), '', 0);
        } else if (blocked) {
          const error = new OutboundRequestError(
            'ADDRESS_BLOCKED',
            `the host ${hostname} resolves to an address that is not public`,
            `${blocked.address} ${addressVerdict(blocked.address, policy)}`,
          );
          callback(error, '', 0);
        } else if (lookupOptions.all) {
          callback(null, addresses);
        } else {
          const [first] = addresses as [{ address: string; family: number }];
          callback(null, first.address, first.family);
        }
      },
      (error: NodeJS.ErrnoException) =>
        callback(new OutboundRequestError('NETWORK', `the host ${hostname} could not be resolved`, error.message), '', 0),
    );
  };
}

/**
 * One keep-alive agent per policy and protocol: a pooled socket was connected under the policy
 * of the request that opened it, so it must never serve a request with a stricter policy.
 */
const agents = new WeakMap<OutboundUrlPolicy, Map<typeof http | typeof https, http.Agent>>();

function agentFor(policy: OutboundUrlPolicy, client: typeof http | typeof https): http.Agent {
  let byClient = agents.get(policy);
  if (!byClient) agents.set(policy, (byClient = new Map()));
  let agent = byClient.get(client);
  if (!agent) {
    agent = new client.Agent({ keepAlive: true, maxSockets: 64, timeout: 30_000 });
    byClient.set(client, agent);
  }
  return agent;
}

function aborted(): OutboundRequestError {
  return new OutboundRequestError('ABORTED', 'the request was aborted');
}

function asOutboundError(error: unknown): OutboundRequestError {
  if (error instanceof OutboundRequestError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new OutboundRequestError('NETWORK', 'the connection failed', message);
}
