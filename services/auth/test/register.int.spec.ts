import * as bcrypt from 'bcrypt';
import { randomUUID } from 'node:crypto';
import { type Reply, STACK_TRACE, type ServiceUnderTest, startServiceUnderTest } from '@conveyor/service-testing';
import { authService } from '../src/auth.definition';
import type { AuthConfig } from '../src/auth.config';

const PASSWORD = 'correct horse battery staple';

const freshEmail = () => `reg-${randomUUID()}@example.com`;

interface CredentialRow {
  id: string;
  password_hash: string;
  xmin: string;
}

interface OutboxRow {
  event_type: string;
  envelope: Record<string, unknown>;
  xmin: string;
}

describe('POST /v1/auth/register (real Postgres and RabbitMQ)', () => {
  let auth: ServiceUnderTest<AuthConfig>;

  beforeAll(async () => {
    auth = await startServiceUnderTest(authService);
    // The relay rewrites outbox rows it fails to publish (nobody consumes in this namespace),
    // and every rewrite gives the row a new xmin. Skipping updates keeps each row's xmin the
    // id of the transaction that inserted it, which is how the atomicity test compares them.
    await auth.sql(`CREATE FUNCTION auth.keep_outbox_rows() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN RETURN NULL; END $$`);
    await auth.sql(`CREATE TRIGGER keep_outbox_rows BEFORE UPDATE ON auth.outbox
                    FOR EACH ROW EXECUTE FUNCTION auth.keep_outbox_rows()`);
  });

  afterAll(() => auth?.close());

  const register = (body: unknown) => auth.request('POST', '/v1/auth/register', { body });

  const credentialsOf = (email: string) =>
    auth.sql<CredentialRow>('SELECT id, password_hash, xmin::text AS xmin FROM auth.credentials WHERE email = $1', [
      email,
    ]);

  const outboxRowsOf = (email: string) =>
    auth.sql<OutboxRow>(
      `SELECT event_type, envelope, xmin::text AS xmin FROM auth.outbox WHERE envelope->'data'->>'email' = $1`,
      [email],
    );

  const totals = async () => {
    const [row] = await auth.sql<{ credentials: string; outbox: string }>(
      'SELECT (SELECT count(*) FROM auth.credentials) AS credentials, (SELECT count(*) FROM auth.outbox) AS outbox',
    );
    return { credentials: Number(row.credentials), outbox: Number(row.outbox) };
  };

  describe('a new account', () => {
    it('answers 201 with the public view of the account, its email trimmed and lower-cased', async () => {
      // given an email with surrounding spaces and capitals
      const email = freshEmail();
      const typed = `  ${email.replace('reg-', 'Reg-').replace('example.com', 'Example.COM')}  `;

      // when
      const reply = await register({ email: typed, password: PASSWORD, name: 'Ada Lovelace' });

      // then
      expect(reply.status).toBe(201);
      expect(reply.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
        email,
        name: 'Ada Lovelace',
        createdAt: expect.any(String),
      });
      expect(new Date(String(reply.body['createdAt'])).toISOString()).toBe(reply.body['createdAt']);
    });

    it('never shows the password or its hash in the response', async () => {
      const email = freshEmail();

      const reply = await register({ email, password: PASSWORD });

      expect(reply.status).toBe(201);
      const [{ password_hash }] = await credentialsOf(email);
      expect(reply.text).not.toContain(PASSWORD);
      expect(reply.text).not.toContain(password_hash);
      expect(reply.text).not.toMatch(/password|hash/i);
    });

    it('stores a bcrypt hash of the password, never the password itself', async () => {
      const email = freshEmail();

      await register({ email, password: PASSWORD });

      const [credential] = await credentialsOf(email);
      expect(credential.password_hash).toMatch(/^\$2[aby]\$04\$[./A-Za-z0-9]{53}$/);
      expect(credential.password_hash).not.toContain(PASSWORD);
      await expect(bcrypt.compare(PASSWORD, credential.password_hash)).resolves.toBe(true);
    });

    it('commits one auth.user.registered.v1 outbox row in the same transaction as the account', async () => {
      // given
      const email = freshEmail();

      // when
      const reply = await register({ email, password: PASSWORD, name: 'Grace Hopper' });

      // then the event is already committed when the client hears 201
      const [credential] = await credentialsOf(email);
      const outbox = await outboxRowsOf(email);
      expect(outbox).toHaveLength(1);
      expect(outbox[0].event_type).toBe('auth.user.registered.v1');
      expect(outbox[0].envelope).toMatchObject({
        specversion: '1.0',
        type: 'auth.user.registered.v1',
        source: '/conveyor/auth',
        subject: reply.body['id'],
        data: { userId: reply.body['id'], email, name: 'Grace Hopper', registeredAt: reply.body['createdAt'] },
      });
      // and both rows carry the id of the one transaction that inserted them
      expect(outbox[0].xmin).toBe(credential.xmin);
    });
  });

  describe('an email that is already registered', () => {
    it.each([
      ['exactly as before', (email: string) => email],
      ['in other letter case', (email: string) => ` ${email.toUpperCase()} `],
    ])('answers 409 AUTH.EMAIL_TAKEN for the email %s and writes nothing more', async (_, retype) => {
      // given
      const email = freshEmail();
      expect((await register({ email, password: PASSWORD })).status).toBe(201);

      // when
      const again = await register({ email: retype(email), password: 'another password 123' });

      // then
      expect(again.status).toBe(409);
      expect(again.contentType).toMatch(/^application\/problem\+json/);
      expect(again.body).toMatchObject({ status: 409, code: 'AUTH.EMAIL_TAKEN' });
      expect(again.text).not.toMatch(STACK_TRACE);
      expect(await credentialsOf(email)).toHaveLength(1);
      expect(await outboxRowsOf(email)).toHaveLength(1);
    });

    it('treats letters whose lower case depends on position as the same email', async () => {
      // given an address ending a word in capital sigma, stored with a final sigma (ς)
      const local = `σ${randomUUID().slice(0, 8)}`;
      expect((await register({ email: `${local.toUpperCase()}ΑΣ@example.com`, password: PASSWORD })).status).toBe(201);

      // when the same address is typed in lower case with a medial sigma (σ)
      const again = await register({ email: `${local}ασ@example.com`, password: PASSWORD });

      // then it is the same account
      expect(again.status).toBe(409);
    });

    it('lets exactly one of 20 concurrent registrations of one email succeed', async () => {
      const email = freshEmail();

      const replies = await Promise.all(
        Array.from({ length: 20 }, (_, i) => register({ email, password: `${PASSWORD} ${i}` })),
      );

      const statuses = replies.map((r) => r.status).sort();
      expect(statuses).toEqual([201, ...Array<number>(19).fill(409)]);
      expect(replies.filter((r) => r.status === 409).every((r) => r.body['code'] === 'AUTH.EMAIL_TAKEN')).toBe(true);
      expect(await credentialsOf(email)).toHaveLength(1);
      expect(await outboxRowsOf(email)).toHaveLength(1);
    });
  });

  describe('a request that does not fit the schema', () => {
    const valid = () => ({ email: freshEmail(), password: PASSWORD, name: 'Valid Name' });

    it.each<[string, () => unknown, string[]]>([
      ['the email is missing', () => ({ password: PASSWORD, name: 'Valid Name' }), ['email']],
      ['the email is not an email', () => ({ ...valid(), email: 'not-an-email' }), ['email']],
      ['the password has 7 characters', () => ({ ...valid(), password: 'seven77' }), ['password']],
      // 40 characters, 80 bytes: bcrypt would silently ignore everything past byte 72
      ['the password is over 72 bytes', () => ({ ...valid(), password: 'é'.repeat(40) }), ['password']],
      ['it has a field the schema does not know', () => ({ ...valid(), isAdmin: true }), ['isAdmin']],
      ['the name has 201 characters', () => ({ ...valid(), name: 'n'.repeat(201) }), ['name']],
      ['the body is a JSON array', () => [valid()], ['(body)']],
    ])('answers 400 REQUEST.INVALID naming the field when %s, and writes nothing', async (_, body, fields) => {
      // given
      const before = await totals();

      // when
      const reply = await register(body());

      // then
      expect(reply.status).toBe(400);
      expect(reply.contentType).toMatch(/^application\/problem\+json/);
      expect(reply.body).toMatchObject({ status: 400, code: 'REQUEST.INVALID' });
      const errors = reply.body['errors'] as { field: string; message: string }[];
      expect(errors.map((e) => e.field)).toEqual(fields);
      expect(errors.every((e) => typeof e.message === 'string' && e.message.length > 0)).toBe(true);
      expectNoStackTrace(reply);
      expect(await totals()).toEqual(before);
    });

    it('answers 400 REQUEST.MALFORMED_JSON for text that is not JSON, and writes nothing', async () => {
      const before = await totals();

      const reply = await register('{"email": "ada@example.com", "password": ');

      expect(reply.status).toBe(400);
      expect(reply.contentType).toMatch(/^application\/problem\+json/);
      expect(reply.body).toMatchObject({ status: 400, code: 'REQUEST.MALFORMED_JSON' });
      expectNoStackTrace(reply);
      expect(await totals()).toEqual(before);
    });

    it('answers 413 REQUEST.TOO_LARGE for a body over 1 MB, and writes nothing', async () => {
      const before = await totals();

      const reply = await register({ ...valid(), name: 'x'.repeat(1024 * 1024 + 1) });

      expect(reply.status).toBe(413);
      expect(reply.contentType).toMatch(/^application\/problem\+json/);
      expect(reply.body).toMatchObject({ status: 413, code: 'REQUEST.TOO_LARGE' });
      expectNoStackTrace(reply);
      expect(await totals()).toEqual(before);
    });
  });
});

function expectNoStackTrace(reply: Reply): void {
  expect(reply.text).not.toMatch(STACK_TRACE);
}
