import type { ServerResponse } from 'node:http';

/** An RFC 9457 answer with our stable `code`, shaped like the services' own. */
export function sendProblem(res: ServerResponse, status: number, code: string, detail: string, headers: Record<string, string> = {}): void {
  const title = { 400: 'Bad request', 404: 'Not found', 405: 'Method not allowed', 502: 'Bad gateway', 503: 'Service unavailable' }[status] ?? 'Error';
  const body = JSON.stringify({
    type: `https://docs.conveyor.dev/problems/${code.toLowerCase().replace(/[._]/g, '-')}`,
    title,
    status,
    detail,
    code,
  });
  res.writeHead(status, { ...headers, 'content-type': 'application/problem+json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
