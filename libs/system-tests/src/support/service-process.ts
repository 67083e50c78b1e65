import { waitFor } from '@conveyor/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

/** auth makes this account an administrator (the seed logs in as it). */
export const SYSTEM_TEST_ADMIN_EMAIL = 'admin@conveyor.local';

export const REPO_ROOT = resolve(__dirname, '../../../..');

export type ServiceName = 'auth' | 'user' | 'billing' | 'jobs' | 'webhook-delivery';

/** A service running as its own Node process, exactly as `main.ts` starts it. */
export interface ServiceProcess {
  readonly name: ServiceName;
  readonly url: string;
  /** Everything the process wrote so far, line by line. */
  readonly output: string[];
  /** SIGTERM, then wait for the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL (a crash: no shutdown step runs), then wait for the exit. */
  kill(): Promise<number | null>;
}

/** Runs `main.ts` of a service with arguments (e.g. `migrate`) and resolves with its exit. */
export function runServiceCommand(name: ServiceName, env: NodeJS.ProcessEnv, args: string[] = []) {
  return runNodeScript(`services/${name}/src/main.ts`, env, args);
}

/** Runs a script of the repository (TypeScript through SWC) and collects its output lines. */
export function runNodeScript(
  script: string,
  env: NodeJS.ProcessEnv,
  args: string[] = [],
): { child: ChildProcess; output: string[]; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', script, ...args], {
    cwd: REPO_ROOT,
    env: { ...baseEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      output.push(...lines);
    });
  }
  const exit = new Promise<number | null>((resolvePromise) => child.once('exit', (code) => resolvePromise(code)));
  return { child, output, exit };
}

/** Starts a service and waits until `/health/ready` (or only `/health/live`) answers 200. */
export async function startServiceProcess(
  name: ServiceName,
  port: number,
  env: NodeJS.ProcessEnv,
  until: 'ready' | 'live' = 'ready',
  // Each process compiles its TypeScript as it starts: on a busy 2-core machine that alone has
  // taken longer than 30 s.
  timeoutMs = 90_000,
): Promise<ServiceProcess> {
  const started = await startUntilHealthy(name, `services/${name}/src/main.ts`, port, env, until, timeoutMs);
  return { name, ...started };
}

/**
 * Runs a server script of the repository on `port` and waits until `/health/<until>` answers
 * 200; fails with the end of its output if it exits first, and kills it if it never gets there.
 */
export async function startUntilHealthy(
  label: string,
  script: string,
  port: number,
  env: NodeJS.ProcessEnv,
  until: 'ready' | 'live',
  timeoutMs: number,
): Promise<Omit<ServiceProcess, 'name'>> {
  const { child, output, exit } = runNodeScript(script, { ...env, HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1' });
  const url = `http://127.0.0.1:${port}`;
  let exited = false;
  void exit.then(() => (exited = true));
  await waitFor(
    async () => {
      if (exited) throw new Error(`${label} exited during start:\n${output.slice(-20).join('\n')}`);
      return (await fetch(`${url}/health/${until}`)).status === 200;
    },
    { description: `${label} to become ${until}`, timeoutMs, intervalMs: 100 },
  ).catch((error) => {
    child.kill('SIGKILL');
    throw error;
  });
  return {
    url,
    output,
    async stop() {
      if (!exited) child.kill('SIGTERM');
      return exit;
    },
    async kill() {
      if (!exited) child.kill('SIGKILL');
      return exit;
    },
  };
}

/** What every spawned service gets unless the spec overrides it. */
export function baseEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    NODE_ENV: 'test',
    SWC_NODE_PROJECT: resolve(REPO_ROOT, 'tsconfig.base.json'),
    ADMIN_EMAIL: SYSTEM_TEST_ADMIN_EMAIL,
    // Every spec's requests come from one IP; the limiter still counts them.
    RATE_LIMIT_REQUESTS: '100000',
    BCRYPT_ROUNDS: '4',
    LOG_LEVEL: 'info',
    OTEL_TRACES_EXPORTER: 'none',
  };
}
