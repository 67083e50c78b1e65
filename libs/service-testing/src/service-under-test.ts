import { loadConfig, type ServiceConfig } from '@conveyor/config';
import type { EventEnvelope } from '@conveyor/contracts';
import { AmqpConnection, EventPublisher, topologyNames, type TopologyNames } from '@conveyor/messaging';
import { runMigrations } from '@conveyor/persistence';
import { createServiceApp, type RunningService, type ServiceDefinition } from '@conveyor/platform';
import {
  createTestDatabase,
  deleteBrokerObjects,
  TEST_AMQP_URL,
  uniqueName,
  waitFor,
  type ServiceName,
  type TestDatabase,
} from '@conveyor/testing';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { send, type Reply, type RequestOptions } from './http-reply';
import { startJwksServer, TEST_SIGNING_KEY, type JwksServer } from './access-token';


export interface ServiceUnderTest<C extends ServiceConfig> {
  /** Base URL of the running service, e.g. `http://127.0.0.1:39211`. */
  readonly url: string;
  readonly config: C;
  /** The Nest application, for specs that need one of its providers. */
  readonly app: RunningService['app'];
  /** The JWKS the service trusts (TEST_SIGNING_KEY unless the spec publishes others). */
  readonly jwks: JwksServer;
  readonly database: TestDatabase;
  /** The spec's own AMQP namespace and the service's exchange and queue names in it. */
  readonly namespace: string;
  readonly names: TopologyNames;
  /** Runs SQL as the superuser of the spec's own database (reads what the service wrote). */
  sql<T extends object = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  request(method: string, path: string, options?: RequestOptions): Promise<Reply>;
  /** Publishes an event into the spec's namespace, as another service would (with confirms). */
  publish(event: EventEnvelope): Promise<void>;
  /** Stops the service, removes its queues and exchanges, and drops the database. */
  close(): Promise<void>;
}

/**
 * Boots a real service in this process, as its `main.ts` would, against a fresh database, an
 * AMQP namespace of its own and a random HTTP port. Once this resolves the service's queue is
 * declared and bound, so events published to the namespace reach it. The service fetches its
 * access-token keys over HTTP from a JWKS server of the spec's own, publishing TEST_SIGNING_KEY
 * (a refetch on an unknown `kid` is not throttled). `env` overrides the test defaults.
 */
export async function startServiceUnderTest<C extends ServiceConfig>(
  definition: ServiceDefinition<C>,
  env: Record<string, string> = {},
): Promise<ServiceUnderTest<C>> {
  const database = await createTestDatabase();
  const namespace = uniqueName(`${definition.name}-spec`);
  let service: RunningService | undefined;
  let admin: Client | undefined;
  const jwks = await startJwksServer(TEST_SIGNING_KEY);
  try {
    const config = loadConfig(definition.envSchema, {
      DATABASE_URL: database.urlFor(definition.name as ServiceName),
      AMQP_URL: TEST_AMQP_URL,
      AMQP_NAMESPACE: namespace,
      AUTH_JWKS_URL: jwks.url,
      AUTH_JWKS_REFETCH_INTERVAL_MS: '0',
      // High enough never to get in a spec's way, so the limiter still runs on every request.
      RATE_LIMIT_REQUESTS: '100000',
      BCRYPT_ROUNDS: '4',
      HTTP_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      OUTBOX_POLL_INTERVAL_MS: '200',
      ...env,
    });
    await runMigrations({
      url: config.DATABASE_URL,
      schema: definition.schema,
      applicationName: `${definition.name}-spec-migrate`,
      migrations: definition.migrations,
    });
    service = await createServiceApp(definition, config);
    await service.start();
    const amqp = service.app.get(AmqpConnection);
    await waitFor(() => amqp.isHealthy(), { description: `${definition.name} to subscribe to its queue` });
    const { port } = service.app.getHttpServer().address() as AddressInfo;
    const url = `http://127.0.0.1:${port}`;
    admin = new Client({ connectionString: database.adminUrl });
    await admin.connect();
    const names = topologyNames(namespace, definition.name);
    const [running, sqlClient] = [service, admin];
    // Opened on first use: most specs only speak HTTP.
    let publishing: { connection: AmqpConnection; publisher: EventPublisher } | undefined;
    const publisher = () => {
      if (!publishing) {
        const connection = new AmqpConnection(TEST_AMQP_URL, 'spec-publisher');
        publishing = { connection, publisher: new EventPublisher(connection, topologyNames(namespace, 'spec')) };
      }
      return publishing.publisher;
    };
    return {
      url,
      config,
      app: running.app,
      jwks,
      database,
      namespace,
      names,
      sql: async <T extends object>(text: string, params: unknown[] = []) => (await sqlClient.query<T>(text, params)).rows,
      request: (method, path, options) => send(`${url}${path}`, method, options),
      publish: (event) => publisher().publish(event),
      async close() {
        await publishing?.publisher.close();
        await publishing?.connection.close();
        await running.stop();
        await sqlClient.end();
        await deleteBrokerObjects({
          queues: [names.queue, names.deadLetterQueue, names.workQueue],
          exchanges: [names.exchange, names.deadLetterExchange],
        });
        await database.drop();
        await jwks.close();
      },
    };
  } catch (error) {
    await admin?.end().catch(() => undefined);
    await service?.stop().catch(() => undefined);
    await database.drop().catch(() => undefined);
    await jwks.close();
    throw error;
  }
}
