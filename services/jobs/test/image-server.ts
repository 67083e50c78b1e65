import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Route = (request: http.IncomingMessage, response: http.ServerResponse) => void;

/** A loopback HTTP server for a spec, answering each path with its route (404 otherwise). */
export async function startImageServer(routes: Record<string, Route>) {
  const closed: string[] = [];
  const server = http.createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    request.socket.once('close', () => closed.push(path));
    (routes[path] ?? ((_, res) => res.writeHead(404).end()))(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    port,
    /** Paths whose connection has closed (the client gave up or finished). */
    closed,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const serve =
  (body: Buffer, contentType = 'application/octet-stream'): Route =>
  (_, response) =>
    response.writeHead(200, { 'content-type': contentType, 'content-length': body.length }).end(body);

/** Streams zeros for as long as the client reads, declaring `declaredBytes` (50 MB by default), never holding them in memory. */
export const endlessBody =
  (declaredBytes = 50 * 1024 * 1024): Route =>
  (_, response) => {
    response.writeHead(200, { 'content-type': 'image/png', 'content-length': declaredBytes });
    const chunk = Buffer.alloc(64 * 1024);
    let sent = 0;
    const pump = () => {
      while (sent < declaredBytes && !response.destroyed) {
        sent += chunk.length;
        if (!response.write(chunk)) return void response.once('drain', pump);
      }
      response.end();
    };
    pump();
  };

export const redirectTo =
  (location: string): Route =>
  (_, response) =>
    response.writeHead(302, { location }).end();

/** Never answers; the client has to give up. */
export const hang: Route = () => undefined;
