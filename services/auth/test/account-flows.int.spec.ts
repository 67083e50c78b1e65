import { startServiceUnderTest, type ServiceUnderTest } from '@conveyor/service-testing';
import { waitFor } from '@conveyor/testing';
import { randomUUID } from 'node:crypto';
import { authService } from '../src/auth.definition';
import type { AuthConfig } from '../src/auth.config';
import { MailSender, type MailMessage } from '../src/mail/mail-sender';

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a brand new passphrase';

describe('account flows: email confirmation, forgotten and changed passwords (real Postgres and RabbitMQ)', () => {
  let auth: ServiceUnderTest<AuthConfig>;
  /** Every mail auth sent, captured in memory instead of the development log sender. */
  const mails: MailMessage[] = [];

  beforeAll(async () => {
    auth = await startServiceUnderTest(authService, { PASSWORD_RESET_TTL_SECONDS: '2' });
    jest.spyOn(auth.app.get(MailSender), 'send').mockImplementation(async (message) => void mails.push(message));
  });

  afterAll(() => auth?.close());

  const tokenIn = (mail: MailMessage) => /cat_[A-Za-z0-9_-]{43}/.exec(mail.text)?.[0] ?? '';
  const mailTo = (to: string, subject: RegExp) =>
    waitFor(() => [...mails].reverse().find((m) => m.to === to && subject.test(m.subject)), { description: `a mail to ${to}` });
  const register = async () => {
    const email = `flows-${randomUUID()}@example.com`;
    const reply = await auth.request('POST', '/v1/auth/register', { body: { email, password: PASSWORD } });
    expect(reply.status).toBe(201);
    return { email, id: String(reply.body['id']) };
  };
  const login = (email: string, password = PASSWORD) => auth.request('POST', '/v1/auth/login', { body: { email, password } });
  const refresh = (refreshToken: unknown) => auth.request('POST', '/v1/auth/refresh', { body: { refreshToken } });

  describe('email confirmation', () => {
    it('mails a token at registration that confirms the email once, with auth.user.email_confirmed.v1', async () => {
      const { email, id } = await register();
      const token = tokenIn(await mailTo(email, /Confirm/));

      const first = await auth.request('POST', '/v1/auth/confirm', { body: { token } });
      const again = await auth.request('POST', '/v1/auth/confirm', { body: { token } });

      expect(first.status).toBe(204);
      expect(again.status).toBe(400);
      expect(again.body['code']).toBe('AUTH.INVALID_TOKEN');
      const events = await auth.sql<{ data: Record<string, unknown> }>(
        `SELECT envelope->'data' AS data FROM auth.outbox WHERE event_type = 'auth.user.email_confirmed.v1' AND envelope->>'subject' = $1`,
        [id],
      );
      expect(events).toEqual([{ data: { userId: id, email, confirmedAt: expect.any(String) } }]);
    });

    it.each([['an unknown token', `cat_${'x'.repeat(43)}`], ['garbage', 'nope']])('answers 400 AUTH.INVALID_TOKEN for %s', async (_, token) => {
      const reply = await auth.request('POST', '/v1/auth/confirm', { body: { token } });

      expect(reply.status).toBe(400);
      expect(reply.body['code']).toBe('AUTH.INVALID_TOKEN');
    });
  });

  describe('forgot and reset', () => {
    it('answers 202 alike for known and unknown emails, and mails only the known one', async () => {
      const { email } = await register();
      const unknown = `nobody-${randomUUID()}@example.com`;

      const known = await auth.request('POST', '/v1/auth/password/forgot', { body: { email } });
      const stranger = await auth.request('POST', '/v1/auth/password/forgot', { body: { email: unknown } });

      expect(known.status).toBe(202);
      expect(stranger.status).toBe(202);
      expect(stranger.text).toBe(known.text);
      await mailTo(email, /Reset/);
      expect(mails.some((m) => m.to === unknown)).toBe(false);
    });

    it('resets with the token once, revoking every session; the old password and the spent token stop working', async () => {
      const { email } = await register();
      const session = await login(email);
      await auth.request('POST', '/v1/auth/password/forgot', { body: { email } });
      const token = tokenIn(await mailTo(email, /Reset/));

      const reset = await auth.request('POST', '/v1/auth/password/reset', { body: { token, password: NEW_PASSWORD } });
      const reused = await auth.request('POST', '/v1/auth/password/reset', { body: { token, password: 'yet another one!' } });

      expect(reset.status).toBe(204);
      expect(reused.status).toBe(400);
      expect(reused.body['code']).toBe('AUTH.INVALID_TOKEN');
      expect((await refresh(session.body['refreshToken'])).status).toBe(401);
      expect((await login(email)).status).toBe(401);
      expect((await login(email, NEW_PASSWORD)).status).toBe(200);
    });

    it('refuses an expired reset token', async () => {
      const { email } = await register();
      await auth.request('POST', '/v1/auth/password/forgot', { body: { email } });
      const token = tokenIn(await mailTo(email, /Reset/));
      // the spec's tokens live 2 s; age this one instead of waiting
      await auth.sql(`UPDATE auth.account_tokens SET expires_at = now() - interval '1 second' WHERE purpose = 'reset_password' AND used_at IS NULL`);

      const reply = await auth.request('POST', '/v1/auth/password/reset', { body: { token, password: NEW_PASSWORD } });

      expect(reply.status).toBe(400);
      expect((await login(email)).status).toBe(200);
    });

    it('stores mailed tokens only as hashes', async () => {
      const { email } = await register();
      const token = tokenIn(await mailTo(email, /Confirm/));

      expect(JSON.stringify(await auth.sql(`SELECT * FROM auth.account_tokens`))).not.toContain(token.slice(4));
    });
  });

  describe('POST /v1/auth/password/change', () => {
    it('changes the password and revokes every other session, keeping this one', async () => {
      const { email } = await register();
      const here = await login(email);
      const elsewhere = await login(email);

      const reply = await auth.request('POST', '/v1/auth/password/change', {
        token: String(here.body['accessToken']),
        body: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
      });

      expect(reply.status).toBe(204);
      expect((await refresh(elsewhere.body['refreshToken'])).status).toBe(401);
      expect((await refresh(here.body['refreshToken'])).status).toBe(200);
      expect((await login(email, NEW_PASSWORD)).status).toBe(200);
    });

    it('answers 403 AUTH.WRONG_PASSWORD for a wrong current password and changes nothing', async () => {
      const { email } = await register();
      const here = await login(email);

      const reply = await auth.request('POST', '/v1/auth/password/change', {
        token: String(here.body['accessToken']),
        body: { currentPassword: 'not it', newPassword: NEW_PASSWORD },
      });

      expect(reply.status).toBe(403);
      expect(reply.body['code']).toBe('AUTH.WRONG_PASSWORD');
      expect((await login(email)).status).toBe(200);
    });

    it('answers 400 for a new password that is too short and 401 without a token', async () => {
      const { email } = await register();
      const here = await login(email);

      const short = await auth.request('POST', '/v1/auth/password/change', {
        token: String(here.body['accessToken']),
        body: { currentPassword: PASSWORD, newPassword: 'short' },
      });

      expect(short.status).toBe(400);
      expect((await auth.request('POST', '/v1/auth/password/change', { body: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD } })).status).toBe(401);
    });
  });
});
