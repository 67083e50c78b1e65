import { loadConfig } from '@conveyor/config';
import { AmqpConnection, topologyNames, type TopologyNames } from '@conveyor/messaging';
import { runMigrations } from '@conveyor/persistence';
import { createServiceApp, type RunningService } from '@conveyor/platform';
import { createTestDatabase, TEST_AMQP_URL, uniqueName, type TestDatabase } from '@conveyor/testing';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { authService } from '../src/auth.service';
import type { AuthConfig } from '../src/config';

/** The signing secret of every auth service a spec boots; specs sign their own tokens with it. */
export const TEST_JWT_SECRET = 'auth-service-integration-spec-secret-0123456789';

/** Tell-tales of a stack trace in a body, raw or JSON-escaped: frames, source locations, `stack`. */
export const STACK_TRACE = /(\n|\\n)\s*at\s|\.[jt]s:\d+:\d+|node_modules|"stack"/;

export interface Reply {
  status: number;
  contentType: string;
  /** The raw body, for checks on what the client can see. */
  text: string;
  /** The body parsed as JSON; `{}` when it is empty or not JSON. */
  body: Record<string, unknown>;
}

export interface AuthHarness {
  /** Base URL of the running service, e.g. `http://127.0.0.1:39211`. */
  readonly url: string;
  readonly config: AuthConfig;
  readonly database: TestDatabase;
  /** Runs SQL as the superuser of the spec's own database (reads what the service wrote). */
  sql<T extends object = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** A JSON request; `body` is sent as JSON unless it is already a string. */
  request(method: string, path: string, options?: RequestOptions): Promise<Reply>;
  /** Stops the service, removes its queues and exchanges, and drops the database. */
  close(): Promise<void>;
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
}

/**
 * Boots the real auth service in this process, as `main.ts` would, but against a fresh
 * database, its own AMQP namespace and a random HTTP port. `env` overrides the test defaults.
 */
export async function startAuthService(env: Record<string, string> = {}): Promise<AuthHarness> {
  const database = await createTestDatabase();
  const namespace = uniqueName('auth-spec');
  let service: RunningService | undefined;
  let admin: Client | undefined;
  try {
    const config = loadConfig(authService.envSchema, {
      DATABASE_URL: database.urlFor('auth'),
      AMQP_URL: TEST_AMQP_URL,
      AMQP_NAMESPACE: namespace,
      JWT_SECRET: TEST_JWT_SECRET,
      BCRYPT_ROUNDS: '4',
      HTTP_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      OUTBOX_POLL_INTERVAL_MS: '200',
      ...env,
    });
    await runMigrations({
      url: config.DATABASE_URL,
      schema: authService.schema,
      applicationName: 'auth-spec-migrate',
      migrations: authService.migrations,
    });
    service = await createServiceApp(authService, config);
    const url = reachableUrl(await service.start(), service);
    admin = new Client({ connectionString: database.adminUrl });
    await admin.connect();
    return harness(url, config, database, admin, service, topologyNames(namespace, authService.name));
  } catch (error) {
    await admin?.end().catch(() => undefined);
    await service?.stop().catch(() => undefined);
    await database.drop().catch(() => undefined);
    throw error;
  }
}

function harness(
  url: string,
  config: AuthConfig,
  database: TestDatabase,
  admin: Client,
  service: RunningService,
  names: TopologyNames,
): AuthHarness {
  return {
    url,
    config,
    database,
    sql: async <T extends object>(text: string, params: unknown[] = []) => (await admin.query<T>(text, params)).rows,
    request: (method, path, options) => send(`${url}${path}`, method, options),
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

async function send(url: string, method: string, { body, headers = {}, token }: RequestOptions = {}): Promise<Reply> {
  const response = await fetch(url, {
    method,
    headers: {
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...(token && { authorization: `Bearer ${token}` }),
      ...headers,
    },
    body: body === undefined || typeof body === 'string' ? body : JSON.stringify(body),
  });
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
  const connection = new AmqpConnection(TEST_AMQP_URL, 'auth-spec-cleanup');
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
