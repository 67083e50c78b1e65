import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import settings from './vendor.json';

/** The `JOBS_VENDORS` entry that `npm start` configures by default, matching this vendor. */
export const DEMO_VENDOR = settings;

const sign = (secret: string, timestamp: string, body: string) => createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');

/**
 * A stand-in third-party vendor for `vendor.call` jobs, on loopback: it checks that the request
 * is signed by Conveyor, acknowledges it (202), "works" for a moment and then reports the
 * outcome to the jobs service's signed callback, as an asynchronous vendor does.
 */
export async function startDemoVendor(options: { jobsUrl: string; port?: number; workMs?: number; log?: (line: string) => void }) {
  const { name, secret } = DEMO_VENDOR;
  const log = options.log ?? (() => undefined);
  const pending = new Set<Promise<unknown>>();

  const callBack = async (jobId: string, payload: unknown) => {
    const body = JSON.stringify({ jobId, status: 'succeeded', result: { vendor: name, answer: `processed ${JSON.stringify(payload)}` } });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const response = await fetch(`${options.jobsUrl}/v1/vendors/${name}/callback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'conveyor-timestamp': timestamp, 'conveyor-signature': `v1=${sign(secret, timestamp, body)}` },
      body,
    });
    log(`vendor called back for job ${jobId.slice(0, 8)}: ${response.status}`);
  };

  const server: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    if (!signedByConveyor(secret, body, request.headers['conveyor-timestamp'], request.headers['conveyor-signature'])) {
      response.writeHead(401, { 'content-type': 'application/json' }).end('{"message":"bad signature"}');
      return;
    }
    const { jobId, payload } = JSON.parse(body) as { jobId: string; payload: unknown };
    log(`vendor received job ${jobId.slice(0, 8)} (Idempotency-Key ${String(request.headers['idempotency-key']).slice(0, 8)}…), signature ok`);
    response.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":true}');
    const work = new Promise((resolve) => setTimeout(resolve, options.workMs ?? 500))
      .then(() => callBack(jobId, payload))
      .catch((error: Error) => log(`vendor callback failed: ${error.message}`))
      .finally(() => pending.delete(work));
    pending.add(work);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEMO_VENDOR.port, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/${name}`,
    async close() {
      await Promise.allSettled(pending);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function signedByConveyor(secret: string, body: string, timestamp: unknown, header: unknown): boolean {
  if (typeof timestamp !== 'string' || typeof header !== 'string') return false;
  const expected = Buffer.from(sign(secret, timestamp, body));
  return header.split(',').some((value) => {
    const given = Buffer.from(value.trim().replace(/^v1=/, ''));
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
