import { Client } from 'pg';
import { call, registerAndLogin } from './support/http';
import { startPlatform } from './support/platform';
import { runServiceCommand } from './support/service-process';

const ALL = ['auth', 'user', 'billing', 'jobs', 'webhook-delivery'] as const;
const SCHEMA = { auth: 'auth', user: 'users', billing: 'billing', jobs: 'jobs', 'webhook-delivery': 'webhooks' } as const;

describe('start-up configuration', () => {
  it('refuses to start with a bad environment and names every bad variable', async () => {
    // given four invalid variables
    const { exit, output } = runServiceCommand('user', {
      HTTP_PORT: 'eighty',
      AMQP_URL: 'http://not-a-broker',
      LOG_LEVEL: 'chatty',
      AUTH_JWKS_URL: 'not a url',
    });

    // then the process exits with an error before doing anything else
    expect(await exit).toBe(1);
    const fatal = output.map((line) => safeJson(line)).find((line) => line?.['level'] === 'fatal');
    expect(fatal).toMatchObject({ service: 'user', code: 'CONFIG.INVALID_ENVIRONMENT' });
    const problems = (fatal?.['problems'] as string[]).join('\n');
    for (const name of ['HTTP_PORT', 'AMQP_URL', 'LOG_LEVEL', 'AUTH_JWKS_URL']) expect(problems).toContain(name);
    expect(output.join('\n')).not.toMatch(/listening on/);
  }, 30_000);
});

describe('the five services', () => {
  it('each migrate their own schema, become ready, and stop cleanly on SIGTERM with nothing left in the outbox', async () => {
    const platform = await startPlatform({ services: [...ALL] });
    try {
      for (const name of ALL) {
        expect((await call(`${platform.service(name).url}/health/ready`)).body).toMatchObject({ checks: { database: 'up', broker: 'up' } });
      }
      // an event committed just before shutdown is still published (the relay flushes on stop)
      await registerAndLogin(platform.service('auth').url);
    } finally {
      const codes = await platform.stop({ keepDatabase: true });
      expect(codes).toEqual(ALL.map(() => 0));
    }
    const admin = new Client({ connectionString: platform.db.adminUrl });
    await admin.connect();
    try {
      for (const name of ALL) {
        const migrations = await admin.query(`SELECT count(*)::int AS n FROM ${SCHEMA[name]}.migrations`);
        expect(migrations.rows[0].n).toBeGreaterThan(0);
      }
      const pending = await admin.query('SELECT count(*)::int AS n FROM auth.outbox WHERE published_at IS NULL');
      expect(pending.rows[0].n).toBe(0);
    } finally {
      await admin.end();
      await platform.db.drop();
    }
  }, 120_000);
});

function safeJson(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}
