import { waitFor } from '@conveyor/testing';
import type { Platform } from './platform';
import { runNodeScript } from './service-process';

/** The web console (services/console) as its own process, forwarding to a running platform. */
export interface ConsoleProcess {
  readonly url: string;
  readonly output: string[];
  stop(): Promise<number | null>;
}

/** Starts the console on `port` in front of the platform's services and waits until it is ready. */
export async function startConsoleProcess(platform: Platform, port: number): Promise<ConsoleProcess> {
  const { child, output, exit } = runNodeScript('services/console/src/main.ts', {
    HTTP_PORT: String(port),
    HTTP_HOST: '127.0.0.1',
    CONSOLE_AUTH_URL: platform.service('auth').url,
    CONSOLE_USER_URL: platform.service('user').url,
    CONSOLE_BILLING_URL: platform.service('billing').url,
    CONSOLE_JOBS_URL: platform.service('jobs').url,
    CONSOLE_WEBHOOKS_URL: platform.service('webhook-delivery').url,
  });
  const url = `http://127.0.0.1:${port}`;
  let exited = false;
  void exit.then(() => (exited = true));
  await waitFor(
    async () => {
      if (exited) throw new Error(`the console exited during start:\n${output.slice(-20).join('\n')}`);
      return (await fetch(`${url}/health/ready`)).status === 200;
    },
    { description: 'the console to become ready', timeoutMs: 30_000, intervalMs: 100 },
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
  };
}
