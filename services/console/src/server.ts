import { httpRequestDuration, httpRequests, metricsRegistry } from '@conveyor/metrics';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { UpstreamName } from './config/console.config';
import { sendProblem } from './http/problem';
import { proxyRequest, routeApiRequest } from './proxy/api-proxy';
import { SECURITY_HEADERS, serveStatic } from './static/static-files';

export interface ConsoleServerOptions {
  upstreams: Record<UpstreamName, string>;
  /** The folder of the single-page app (services/console/public). */
  publicDir: string;
  logger: Pick<Logger, 'warn' | 'error'>;
}

export interface ConsoleServer {
  server: Server;
  /** Stops taking requests: readiness turns 503, idle connections close, open ones may finish. */
  drain(): void;
}

/**
 * The console's one HTTP server: its health, the API calls it forwards to the services (same
 * origin, so the services need no CORS), and the app's files.
 */
export function createConsoleServer(options: ConsoleServerOptions): ConsoleServer {
  let draining = false;
  const eventStreams = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    const path = req.url ?? '/';
    const pathname = path.split('?')[0];

    if (pathname === '/health/live') return sendJson(res, 200, { status: 'ok' });
    if (pathname === '/health/ready') return sendJson(res, draining ? 503 : 200, { status: draining ? 'shutting_down' : 'ok' });
    if (pathname === '/metrics') {
      void metricsRegistry.metrics().then((text) => {
        res.writeHead(200, { 'content-type': metricsRegistry.contentType, 'cache-control': 'no-store' });
        res.end(text);
      });
      return;
    }
    measure(req, res, routeOf(pathname));

    if (pathname === '/api' || pathname.startsWith('/api/')) {
      const target = routeApiRequest(path, options.upstreams);
      if (!target) return sendProblem(res, 404, 'REQUEST.NOT_FOUND', 'The console forwards /api/auth, /api/users, /api/billing, /api/jobs, /api/webhooks and /api/admin/<service>/dead-letters only.');
      return proxyRequest(req, res, target, {
        upstreamFailed: (failed, error) => options.logger.warn({ upstream: failed.name, reason: error.message }, 'Upstream service unreachable'),
        eventStreamOpened: (stream) => {
          eventStreams.add(stream);
          stream.once('close', () => eventStreams.delete(stream));
        },
      });
    }

    void serveStatic(req, res, options.publicDir, pathname).catch((error: Error) => {
      options.logger.error({ err: error, path: pathname }, 'Serving a console file failed');
      if (!res.headersSent) sendProblem(res, 500, 'INTERNAL', 'Something went wrong on our side.');
      else res.destroy();
    });
  });
  // Uploads and event streams may take long; the services time out themselves.
  server.requestTimeout = 0;
  return {
    server,
    drain() {
      draining = true;
      server.closeIdleConnections();
      // Event streams never end by themselves; browsers reconnect (to another replica) on their own.
      for (const stream of eventStreams) stream.destroy();
    },
  };
}

/** The route label of the metrics: one per upstream, so the series stay few. */
function routeOf(pathname: string): string {
  const api = /^\/api(\/admin)?\/([a-z-]+)/.exec(pathname);
  if (api) return `/api${api[1] ?? ''}/${api[2]}`;
  return pathname.startsWith('/api') ? '/api' : 'static';
}

function measure(req: IncomingMessage, res: ServerResponse, route: string): void {
  const started = process.hrtime.bigint();
  res.once('finish', () => {
    const labels = { method: req.method ?? 'GET', route, status: String(res.statusCode) };
    httpRequests.inc(labels);
    httpRequestDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
