import { loadConfig } from '@conveyor/config';
import { AmqpConnection, topologyNames, type TopologyNames } from '@conveyor/messaging';
import { runMigrations } from '@conveyor/persistence';
import { createServiceApp, type RunningService } from '@conveyor/platform';
import { createTestDatabase, TEST_AMQP_URL, uniqueName, type TestDatabase } from '@conveyor/testing';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import type { UserConfig } from '../src/config';
import { userService } from '../src/user.service';

/** The secret the service verifies tokens with; specs sign tokens as the auth service would. */
export const TEST_JWT_SECRET = 'user-service-integration-spec-secret-0123456789';

export interface Reply {
  status: number;
  contentType: string;
  text: string;
  /** The body parsed as JSON; `{}` when it is empty or not JSON. */
  body: Record<string, unknown>;
}

export interface UserHarness {
  /** Base URL of the running service, e.g. `http://127.0.0.1:39211`. */
  readonly url: string;
  readonly config: UserConfig;
  /** The AMQP namespace of this spec; the service's exchange and queues live under it. */
  readonly namespace: string;
  /** The service's own exchange and queue names in that namespace. */
  readonly names: TopologyNames;
  readonly database: TestDatabase;
  /** Runs SQL as the superuser of the spec's own database (reads what the service wrote). */
  sql<T extends object = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** A GET with an optional bearer token. */
  get(path: string, token?: string): Promise<Reply>;
  /** Stops the service, removes its queues and exchanges, and drops the database. */
  close(): Promise<void>;
}

/**
 * Boots the real user service in this process, as `main.ts` would, but against a fresh
 * database, its own AMQP namespace and a random HTTP port. Once this resolves, the service's
 * queue is declared and bound, so events published to the namespace reach it.
 */
export async function startUserService(): Promise<UserHarness> {
  const database = await createTestDatabase();
  const namespace = uniqueName('user-spec');
  let service: RunningService | undefined;
  let admin: Client | undefined;
  try {
    const config = loadConfig(userService.envSchema, {
      DATABASE_URL: database.urlFor('user'),
      AMQP_URL: TEST_AMQP_URL,
      AMQP_NAMESPACE: namespace,
      JWT_SECRET: TEST_JWT_SECRET,
      HTTP_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      OUTBOX_POLL_INTERVAL_MS: '200',
    });
    await runMigrations({
      url: config.DATABASE_URL,
      schema: userService.schema,
      applicationName: 'user-spec-migrate',
      migrations: userService.migrations,
    });
    service = await createServiceApp(userService, config);
    const url = reachableUrl(await service.start(), service);
    admin = new Client({ connectionString: database.adminUrl });
    await admin.connect();
    return harness({ url, config, namespace, database, admin, service });
  } catch (error) {
    await admin?.end().catch(() => undefined);
    await service?.stop().catch(() => undefined);
    await database.drop().catch(() => undefined);
    throw error;
  }
}

function harness(parts: {
  url: string;
  config: UserConfig;
  namespace: string;
  database: TestDatabase;
  admin: Client;
  service: RunningService;
}): UserHarness {
  const { url, config, namespace, database, admin, service } = parts;
  const names = topologyNames(namespace, userService.name);
  return {
    url,
    config,
    namespace,
    names,
    database,
    sql: async <T extends object>(text: string, params: unknown[] = []) => (await admin.query<T>(text, params)).rows,
    get: (path, token) => send(`${url}${path}`, token),
    async close() {
      await service.stop();
      await admin.end();
      await deleteTopology(names);
      await database.drop();
    },
  };
}

/** `start()` answers Nest's idea of the URL; trust it only if it names the port we listen on. */
function reachableUrl(reported: string, service: RunningService): string {
  const { port } = service.app.getHttpServer().address() as AddressInfo;
  const parsed = new URL(reported);
  return parsed.hostname === '127.0.0.1' && Number(parsed.port) === port ? reported : `http://127.0.0.1:${port}`;
}

async function send(url: string, token?: string): Promise<Reply> {
  const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  return { status: response.status, contentType, text, body: parseObject(text) };
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * The service declares durable quorum queues that outlive it; a spec removes its own so the
 * shared broker does not collect one set per run.
 */
async function deleteTopology(names: TopologyNames): Promise<void> {
  const connection = new AmqpConnection(TEST_AMQP_URL, 'user-spec-cleanup');
  const channel = connection.createChannel({ name: 'cleanup', confirm: false });
  try {
    await channel.waitForConnect();
    for (const queue of [names.queue, names.deadLetterQueue]) await channel.deleteQueue(queue);
    for (const exchange of [names.exchange, names.deadLetterExchange]) await channel.deleteExchange(exchange);
  } finally {
    await channel.close();
    await connection.close();
  }
}
