import type { Platform } from './platform';
import { startUntilHealthy } from './service-process';

/** The web console (services/console) as its own process, forwarding to a running platform. */
export interface ConsoleProcess {
  readonly url: string;
  readonly output: string[];
  stop(): Promise<number | null>;
}

/** Starts the console on `port` in front of the platform's services and waits until it is ready. */
export function startConsoleProcess(platform: Platform, port: number): Promise<ConsoleProcess> {
  return startUntilHealthy(
    'the console',
    'services/console/src/main.ts',
    port,
    {
      CONSOLE_AUTH_URL: platform.service('auth').url,
      CONSOLE_USER_URL: platform.service('user').url,
      CONSOLE_BILLING_URL: platform.service('billing').url,
      CONSOLE_JOBS_URL: platform.service('jobs').url,
      CONSOLE_WEBHOOKS_URL: platform.service('webhook-delivery').url,
    },
    'ready',
    30_000,
  );
}
