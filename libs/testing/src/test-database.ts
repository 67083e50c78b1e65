import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { Client, escapeIdentifier } from 'pg';
import { run } from './run-command';
import { TEST_DATABASE_URL } from './test-environment';

export type ServiceName = 'auth' | 'user' | 'billing' | 'jobs' | 'webhook-delivery';

/** The Postgres role of each service; each owns one schema (see infrastructure/postgres). */
const SERVICE_ROLES: Record<ServiceName, string> = {
  auth: 'conveyor_auth',
  user: 'conveyor_user',
  billing: 'conveyor_billing',
  jobs: 'conveyor_jobs',
  'webhook-delivery': 'conveyor_webhooks',
};

const SETUP_SCRIPT = resolve(__dirname, '../../../infrastructure/postgres/setup.mjs');

export interface TestDatabase {
  readonly name: string;
  /** Superuser URL of this database. */
  readonly adminUrl: string;
  /** URL that connects to this database as the service's own role (trust auth, no password). */
  urlFor(service: ServiceName): string;
  /** Terminates every connection to the database and drops it. Close pools first to avoid errors. */
  drop(): Promise<void>;
}

/**
 * A fresh database `t_<hex>` on the shared server, with the service roles and schemas that
 * production has, so a spec runs against the same grants. One per spec file keeps parallel Jest
 * workers apart. `serverUrl` points at another server (e.g. a throwaway one) instead.
 */
export async function createTestDatabase(
  { serverUrl = TEST_DATABASE_URL }: { serverUrl?: string } = {},
): Promise<TestDatabase> {
  const name = `t_${randomBytes(8).toString('hex')}`;
  try {
    await applySetupScript(serverUrl, name);
  } catch (error) {
    // The script may have created the database before it failed.
    await dropDatabase(serverUrl, name).catch(() => undefined);
    throw error;
  }
  const atDatabase = (user?: string) => databaseUrl(serverUrl, name, user);
  return {
    name,
    adminUrl: atDatabase(),
    urlFor: (service) => atDatabase(SERVICE_ROLES[service]),
    drop: () => dropDatabase(serverUrl, name),
  };
}

/**
 * Runs infrastructure/postgres/setup.mjs, the same code `npm start` uses, so the SQL exists once.
 * It is an ES module, which Jest's CommonJS module system cannot load, hence a child process.
 */
async function applySetupScript(serverUrl: string, name: string): Promise<void> {
  await run(process.execPath, [SETUP_SCRIPT], {
    env: { ...process.env, DATABASE_ADMIN_URL: serverUrl, DATABASE_NAME: name },
  });
}

async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

function databaseUrl(base: string, database: string, user?: string): string {
  const url = new URL(base);
  url.pathname = `/${database}`;
  if (user !== undefined) {
    url.username = user;
    url.password = '';
  }
  return url.toString();
}
