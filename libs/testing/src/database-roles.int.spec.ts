import { Client } from 'pg';
import { createTestDatabase, TestDatabase } from './test-database';

const PERMISSION_DENIED = '42501';

describe('service roles in a test database', () => {
  let database: TestDatabase;
  let asUser: Client;
  let asAuth: Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    asUser = new Client({ connectionString: database.urlFor('user') });
    asAuth = new Client({ connectionString: database.urlFor('auth') });
    await Promise.all([asUser.connect(), asAuth.connect()]);
    await asUser.query('CREATE TABLE users.profiles (id int)');
    await asUser.query('INSERT INTO users.profiles (id) VALUES (1)');
  }, 30_000);

  afterAll(async () => {
    await Promise.all([asUser?.end(), asAuth?.end()]);
    await database?.drop();
  });

  it('lets a role read and write its own schema', async () => {
    const { rows } = await asUser.query('SELECT id FROM profiles');
    expect(rows).toEqual([{ id: 1 }]);
  });

  it('keeps the auth role out of the users schema', async () => {
    await expect(asAuth.query('SELECT * FROM users.profiles')).rejects.toMatchObject({
      code: PERMISSION_DENIED,
    });
  });

  it('stops the auth role from creating tables in public', async () => {
    await expect(asAuth.query('CREATE TABLE public.sneaky (id int)')).rejects.toMatchObject({
      code: PERMISSION_DENIED,
    });
  });

  it('stops the auth role from creating tables in the users schema', async () => {
    await expect(asAuth.query('CREATE TABLE users.sneaky (id int)')).rejects.toMatchObject({
      code: PERMISSION_DENIED,
    });
  });

  it('lets the auth role create tables in its own schema', async () => {
    await asAuth.query('CREATE TABLE auth.sessions (id int)');
    const { rows } = await asAuth.query(
      "SELECT tableowner FROM pg_tables WHERE schemaname = 'auth' AND tablename = 'sessions'",
    );
    expect(rows).toEqual([{ tableowner: 'conveyor_auth' }]);
  });
});
