import { waitFor } from '@conveyor/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { resolve } from 'node:path';

const REPO_ROOT = resolve(__dirname, '../../..');

/** webhook-delivery as its own Node process, started by its main.ts as in production. */
export interface DeliveryProcess {
  url: string;
  output: string[];
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

/** Every process this file started and that has not exited, so a spec can kill them all. */
const alive = new Set<ChildProcess>();

/** SIGKILLs every process still running (a start that timed out included) and waits for each. */
export async function killAll(): Promise<void> {
  await Promise.all(
    [...alive].map(
      (child) =>
        new Promise<void>((done) => {
          child.once('exit', () => done());
          child.kill('SIGKILL');
        }),
    ),
  );
}

function runMain(env: NodeJS.ProcessEnv, args: string[] = []): { child: ChildProcess; output: string[]; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'services/webhook-delivery/src/main.ts', ...args], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env['PATH'],
      HOME: process.env['HOME'],
      NODE_ENV: 'test',
      SWC_NODE_PROJECT: resolve(REPO_ROOT, 'tsconfig.base.json'),
      OTEL_TRACES_EXPORTER: 'none',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  alive.add(child);
  const exit = new Promise<number | null>((done) =>
    child.once('exit', (code) => {
      alive.delete(child);
      done(code);
    }),
  );
  return { child, output, exit };
}

export async function startDeliveryProcess(env: NodeJS.ProcessEnv): Promise<DeliveryProcess> {
  const port = await freePort();
  const { child, output, exit } = runMain({ ...env, HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1' });
  const url = `http://127.0.0.1:${port}`;
  let exited = false;
  void exit.then(() => (exited = true));
  await waitFor(
    async () => {
      if (exited) throw new Error(`webhook-delivery exited during start:\n${output.join('')}`);
      return (await fetch(`${url}/health/ready`)).status === 200;
    },
    { description: 'webhook-delivery to become ready', timeoutMs: 60_000, intervalMs: 100 },
  ).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  return {
    url,
    output,
    kill(signal) {
      if (!exited) child.kill(signal);
      return exit;
    },
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}
