import { topologyNames } from '@conveyor/messaging';
import { createTestDatabase, deleteBrokerObjects, freePorts, TEST_AMQP_URL, uniqueName, type TestDatabase } from '@conveyor/testing';
import { runServiceCommand, startServiceProcess, type ServiceName, type ServiceProcess } from './service-process';

export interface PlatformOptions {
  services: ServiceName[];
  amqpUrl?: string;
  /** A database prepared elsewhere (e.g. on a throwaway server); by default a fresh one. */
  database?: TestDatabase;
  env?: NodeJS.ProcessEnv;
  /** Wait for each service to be live only, not ready (e.g. when the broker is down). */
  until?: 'ready' | 'live';
}

/**
 * Some of Conveyor's services, each in its own process, sharing one fresh database (each in
 * its own schema, under its own role) and one AMQP namespace that no other spec uses.
 */
export async function startPlatform(options: PlatformOptions) {
  const db = options.database ?? (await createTestDatabase());
  const shared: NodeJS.ProcessEnv = {
    AMQP_URL: options.amqpUrl ?? TEST_AMQP_URL,
    AMQP_NAMESPACE: uniqueName('sys'),
    OUTBOX_POLL_INTERVAL_MS: '250',
    ...options.env,
  };
  const envOf = (name: ServiceName) => ({ ...shared, DATABASE_URL: db.urlFor(name) });

  await Promise.all(
    options.services.map(async (name) => {
      const { exit, output } = runServiceCommand(name, envOf(name), ['migrate']);
      const code = await exit;
      if (code !== 0) throw new Error(`${name} migrate exited with ${code}:\n${output.join('\n')}`);
    }),
  );

  const services = new Map<ServiceName, ServiceProcess>();
  const ports = await freePorts(options.services.length);
  // Every service verifies access tokens with the keys the platform's own auth publishes.
  const authIndex = options.services.indexOf('auth');
  if (authIndex >= 0) shared['AUTH_JWKS_URL'] ??= `http://127.0.0.1:${ports[authIndex]}/.well-known/jwks.json`;
  // The jobs service's MCP tools read the balance and the webhook log from their services.
  const urlOf = (name: ServiceName) => (options.services.includes(name) ? `http://127.0.0.1:${ports[options.services.indexOf(name)]}` : undefined);
  shared['MCP_BILLING_URL'] ??= urlOf('billing');
  shared['MCP_WEBHOOKS_URL'] ??= urlOf('webhook-delivery');
  const started = await Promise.allSettled(
    options.services.map(async (name, i) => services.set(name, await startServiceProcess(name, ports[i], envOf(name), options.until))),
  );
  const failed = started.find((outcome) => outcome.status === 'rejected');
  if (failed) {
    // Otherwise the services that did start outlive the spec that could not use them.
    await Promise.all([...services.values()].map((service) => service.kill()));
    throw failed.reason;
  }

  return {
    db,
    env: shared,
    service(name: ServiceName): ServiceProcess {
      const service = services.get(name);
      if (!service) throw new Error(`${name} is not part of this platform`);
      return service;
    },
    /** Stops every service (SIGTERM) and returns their exit codes, in start order. */
    async stop({ keepDatabase = false } = {}) {
      const codes = await Promise.all(options.services.map((name) => services.get(name)?.stop() ?? null));
      if (!options.database && !keepDatabase) await db.drop();
      const names = options.services.map((name) => topologyNames(String(shared['AMQP_NAMESPACE']), name));
      await deleteBrokerObjects(
        {
          queues: names.flatMap((n) => [n.queue, n.deadLetterQueue, n.workQueue]),
          exchanges: [names[0].exchange, names[0].deadLetterExchange],
        },
        String(shared['AMQP_URL']),
      ).catch(() => undefined); // a spec that stopped its broker cleans nothing there
      return codes;
    },
  };
}

export type Platform = Awaited<ReturnType<typeof startPlatform>>;
