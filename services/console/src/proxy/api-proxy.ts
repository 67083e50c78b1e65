import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { UPSTREAM_NAMES, type UpstreamName } from '../config/console.config';
import { sendProblem } from '../http/problem';

/** Headers that describe one connection, not the message: never forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export interface UpstreamTarget {
  name: UpstreamName;
  /** The absolute URL to ask the service. */
  url: URL;
}

/**
 * `/api/<name>/rest` → `<upstream of name>/v1/<name>/rest`, query kept: every service's public
 * routes live under `/v1/<name>`, so the console only swaps the prefix. Administrators also reach
 * each service's dead letters: `/api/admin/<name>/dead-letters…` → `<upstream>/admin/dead-letters…`.
 * Anything else under `/api/` has no upstream.
 */
export function routeApiRequest(path: string, upstreams: Record<UpstreamName, string>): UpstreamTarget | undefined {
  const match = /^\/api(\/admin)?\/([a-z-]+)(\/[^?#]*)?(\?[^#]*)?$/.exec(path);
  if (!match) return undefined;
  const [, admin, segment, rest = '', query = ''] = match;
  const name = UPSTREAM_NAMES.find((n) => n === segment);
  if (!name) return undefined;
  // A dot segment could climb out of the service's prefix once the upstream normalises it.
  if (rest.split('/').some((part) => part === '..' || part === '.' || /%2e|%2f|%5c/i.test(part))) return undefined;
  if (admin) return /^\/dead-letters(\/|$)/.test(rest) ? { name, url: new URL(`/admin${rest}${query}`, upstreams[name]) } : undefined;
  return { name, url: new URL(`/v1/${name}${rest}${query}`, upstreams[name]) };
}

/** The headers to forward: hop-by-hop ones removed, and any the `Connection` header names. */
export function forwardableHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const named = String(headers['connection'] ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  const result: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || named.includes(name)) continue;
    result[name] = value;
  }
  return result;
}

/**
 * auth sets its refresh cookie for `/v1/auth`; in the browser that path is `/api/auth`, so the
 * cookie would never be sent back without this rewrite.
 */
export function rewriteCookiePath(cookie: string): string {
  return cookie.replace(/;\s*path=\/v1\/auth(?=;|$)/i, '; Path=/api/auth');
}

export interface ProxyObserver {
  upstreamFailed(target: UpstreamTarget, error: Error): void;
  /** An event stream began; it lasts until one side closes it. */
  eventStreamOpened(res: ServerResponse): void;
}

/**
 * Forwards one request and streams both bodies: uploads go out as they arrive and Server-Sent
 * Events come back as they are written. A client that goes away aborts the upstream request,
 * so a closed tab ends its event stream at the service too.
 */
export function proxyRequest(req: IncomingMessage, res: ServerResponse, target: UpstreamTarget, observer: ProxyObserver): void {
  const headers = forwardableHeaders(req.headers);
  headers['host'] = target.url.host;
  const forwardedFor = req.headers['x-forwarded-for'];
  headers['x-forwarded-for'] = [forwardedFor, req.socket.remoteAddress].filter(Boolean).join(', ');
  headers['x-forwarded-proto'] = 'http';

  const send = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
  const upstream = send(target.url, { method: req.method, headers });

  upstream.on('response', (answer) => {
    const out: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(forwardableHeaders(answer.headers))) {
      if (value === undefined) continue;
      out[name] = name === 'set-cookie' && Array.isArray(value) ? value.map(rewriteCookiePath) : value;
    }
    res.writeHead(answer.statusCode ?? 502, answer.statusMessage, out);
    // Event streams must reach the browser event by event, not when a buffer fills.
    if (String(answer.headers['content-type'] ?? '').startsWith('text/event-stream')) {
      res.flushHeaders();
      observer.eventStreamOpened(res);
    }
    answer.pipe(res);
    answer.on('error', () => res.destroy());
  });
  upstream.on('error', (error) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    observer.upstreamFailed(target, error);
    sendProblem(res, 502, 'CONSOLE.UPSTREAM_UNAVAILABLE', `The ${target.name} service cannot be reached right now. Retry shortly.`, {
      'retry-after': '2',
    });
  });
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream);
}
