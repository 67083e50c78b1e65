#!/usr/bin/env node
// Prepares a Postgres database for Conveyor on a local server (npm start, tests): creates the
// database if it is missing, then applies roles.sql (cluster-wide) and schemas.sql (in it).
// docker-compose does the same through init/ instead.
//
//   DATABASE_ADMIN_URL  superuser URL (default postgres://postgres@127.0.0.1:5432/postgres)
//   DATABASE_NAME       database to prepare (default conveyor)
import { realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import pg from 'pg';

const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const DEFAULT_DATABASE = 'conveyor';

// Every run takes this session-level advisory lock ('conv' in ASCII). Concurrent runs (parallel
// test workers, several services starting at once) would otherwise race on CREATE ROLE,
// CREATE DATABASE and CREATE SCHEMA, which fail with unique violations instead of waiting.
// Advisory locks are per database: roles are guarded in the admin database, schemas in the target.
const SETUP_LOCK_KEY = 0x636f6e76;

/**
 * @param {{ adminUrl?: string, database?: string }} [options]
 * @returns {Promise<{ database: string, created: boolean }>}
 */
export async function setupDatabase({
  adminUrl = process.env.DATABASE_ADMIN_URL || DEFAULT_ADMIN_URL,
  database = process.env.DATABASE_NAME || DEFAULT_DATABASE,
} = {}) {
  const created = await withClient(adminUrl, (admin) =>
    withAdvisoryLock(admin, async () => {
      const isNew = await createDatabaseIfMissing(admin, database);
      await admin.query(await readSql('roles.sql'));
      return isNew;
    }),
  );
  await withClient(urlForDatabase(adminUrl, database), async (target) => {
    const schemas = await readSql('schemas.sql');
    await withAdvisoryLock(target, () => target.query(schemas));
  });
  return { database, created };
}

async function createDatabaseIfMissing(admin, database) {
  const existing = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
  if (existing.rowCount > 0) return false;
  await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
  return true;
}

async function withClient(connectionString, work) {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function withAdvisoryLock(client, work) {
  await client.query('SELECT pg_advisory_lock($1)', [SETUP_LOCK_KEY]);
  try {
    return await work();
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [SETUP_LOCK_KEY]);
  }
}

function urlForDatabase(adminUrl, database) {
  const url = new URL(adminUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

function readSql(fileName) {
  return readFile(new URL(fileName, import.meta.url), 'utf8');
}

function isMainModule() {
  const entry = process.argv[1];
  return entry !== undefined && pathToFileURL(realpathSync(entry)).href === import.meta.url;
}

if (isMainModule()) {
  try {
    const { database, created } = await setupDatabase();
    const state = created ? 'created' : 'already existed';
    console.log(`postgres: database "${database}" ${state}; roles and schemas applied`);
  } catch (error) {
    console.error(`postgres: setup failed: ${error instanceof Error ? error.message : error}`);
    process.exitCode = 1;
  }
}
