import { STATUS_CODES, type Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Requests that never reach Express because Node's HTTP parser refuses them (headers over the
 * size limit, a malformed request line or `Content-Length`, a request that took too long to
 * arrive) would otherwise get Node's bare status line with no body. They get a problem
 * document like every other client mistake; the connection is closed, as Node would.
 */
export function answerClientErrorsWithProblems(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    // After a response went out on this connection, another one would be garbage to the client.
    if (error.code === 'ECONNRESET' || !socket.writable || socket.bytesWritten > 0) {
      socket.destroy();
      return;
    }
    const [status, code, detail] = describe(error.code);
    const body = JSON.stringify({
      type: `https://docs.conveyor.dev/problems/${code.toLowerCase().replace(/[._]/g, '-')}`,
      title: STATUS_CODES[status],
      status,
      detail,
      code,
    });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}

function describe(code: string | undefined): [number, string, string] {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return [431, 'REQUEST.HEADERS_TOO_LARGE', 'The request headers are too large.'];
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [408, 'REQUEST.TIMEOUT', 'The request took too long to arrive.'];
    default:
      return [400, 'REQUEST.MALFORMED', 'The request is not valid HTTP.'];
  }
}
