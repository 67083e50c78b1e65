import { httpRequestDuration, httpRequests } from '@conveyor/metrics';
import type { NextFunction, Request, Response } from 'express';

/**
 * Counts and times every answered request by its route template (`/v1/jobs/:id`, never the
 * concrete path, so the label stays a small set); requests that matched no route are
 * `unmatched`.
 */
export function httpMetrics(request: Request, response: Response, next: NextFunction): void {
  const started = process.hrtime.bigint();
  response.once('finish', () => {
    const route = (request.route as { path?: string } | undefined)?.path ?? 'unmatched';
    const labels = { method: request.method, route, status: String(response.statusCode) };
    httpRequests.inc(labels);
    httpRequestDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
  });
  next();
}
