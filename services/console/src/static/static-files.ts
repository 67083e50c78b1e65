import { createReadStream, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { sendProblem } from '../http/problem';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

/**
 * Scripts only from this origin, no inline code, nothing may frame the console. Images also from
 * `blob:` (upload previews and job results are shown through object URLs).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Sent with every answer of the console, proxied ones included. */
export const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

/**
 * Serves the files of the single-page app from one folder. `/` is the page itself; a path that
 * is not a file there is a 404 (the app routes by `#fragment`, so no fallback is needed).
 */
export async function serveStatic(req: IncomingMessage, res: ServerResponse, root: string, pathname: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendProblem(res, 405, 'REQUEST.METHOD_NOT_ALLOWED', 'The console serves its files with GET and HEAD only.', { allow: 'GET, HEAD' });
    return;
  }
  const file = fileFor(root, pathname);
  const info = file ? await stat(file).catch(() => undefined) : undefined;
  if (!file || !info?.isFile()) {
    sendProblem(res, 404, 'REQUEST.NOT_FOUND', 'No such page or file in the console.');
    return;
  }
  const type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
  res.writeHead(200, headersFor(type, info));
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}

function fileFor(root: string, pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const relative = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  const file = resolve(root, relative);
  // Never outside the folder, whatever `..` or encoded separators the path holds.
  return file.startsWith(resolve(root) + sep) ? file : undefined;
}

function headersFor(type: string, info: Stats): Record<string, string | number> {
  const headers: Record<string, string | number> = {
    'content-type': type,
    'content-length': info.size,
    // The page always comes fresh (it names the scripts); scripts and styles are revalidated.
    'cache-control': type.startsWith('text/html') ? 'no-store' : 'no-cache',
    'last-modified': info.mtime.toUTCString(),
  };
  if (type.startsWith('text/html')) headers['content-security-policy'] = CONTENT_SECURITY_POLICY;
  return headers;
}
