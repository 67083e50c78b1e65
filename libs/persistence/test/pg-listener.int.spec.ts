import { createTestDatabase, waitFor, type TestDatabase } from '@conveyor/testing';
import { Client } from 'pg';
import { PgListener } from '../src';

const CHANNEL = 'pg_listener_spec';
const APPLICATION_NAME = 'pg-listener-spec';

describe('PgListener (real Postgres)', () => {
  let db: TestDatabase;
  let admin: Client;
  let listener: PgListener | undefined;
  let events: string[];

  beforeAll(async () => {
    db = await createTestDatabase();
    admin = new Client({ connectionString: db.adminUrl });
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.end();
    await db?.drop();
  });

  beforeEach(() => {
    // One log of callbacks in call order, so a spec can assert what happened between two events.
    events = [];
    listener = new PgListener({
      url: db.adminUrl,
      channels: [CHANNEL],
      applicationName: APPLICATION_NAME,
      onNotification: (_channel, payload) => events.push(`notification ${payload}`),
      onConnected: () => events.push('connected'),
      onDisconnected: () => events.push('disconnected'),
    });
  });

  afterEach(() => listener?.stop());

  const notify = (payload: string) => admin.query('SELECT pg_notify($1, $2)', [CHANNEL, payload]);
  const count = (event: string) => events.filter((e) => e === event).length;
  /** Ends the listener's session as an administrator (or a failover) would; waits until it is gone. */
  const terminateListener = () =>
    admin.query(
      `SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity
        WHERE application_name = $1 AND datname = current_database()`,
      [APPLICATION_NAME],
    );

  it('calls onConnected once it listens, then hands over notifications', async () => {
    listener?.start();
    await waitFor(() => count('connected') === 1, { description: 'the listener to connect' });

    await notify('one');

    await waitFor(() => count('notification one') === 1, { description: 'the notification' });
    expect(events).toEqual(['connected', 'notification one']);
  });

  it('calls onDisconnected when its session ends, then reconnects and listens again', async () => {
    listener?.start();
    await waitFor(() => count('connected') === 1, { description: 'the listener to connect' });

    await terminateListener();

    await waitFor(() => count('connected') === 2, { description: 'the listener to reconnect', timeoutMs: 5_000 });
    await notify('after');
    await waitFor(() => count('notification after') === 1, { description: 'a notification after the reconnect' });
    expect(events).toEqual(['connected', 'disconnected', 'connected', 'notification after']);
  });

  it('does not call onDisconnected when it is stopped', async () => {
    listener?.start();
    await waitFor(() => count('connected') === 1, { description: 'the listener to connect' });

    // stop() resolves once the connection has ended, so any callback it caused has run.
    await listener?.stop();

    expect(events).toEqual(['connected']);
  });
});
