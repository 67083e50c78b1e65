import { AddressInfo, createServer, Server, Socket } from 'node:net';

/**
 * `count` distinct TCP ports on 127.0.0.1 that were free a moment ago: the kernel picks them for
 * listeners bound to port 0, all held open together (so no two are equal) and then closed.
 * Another process could take one before the caller binds it, but the kernel hands out ephemeral
 * ports in rotation, so that is rare enough for tests.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, () => listenOnAnyPort()));
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

function listenOnAnyPort(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:port right now. */
export function isPortOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const finish = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(1_000, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
    socket.connect(port, '127.0.0.1');
  });
}
