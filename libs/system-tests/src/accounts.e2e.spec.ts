import type { EventEnvelope } from '@conveyor/contracts';
import { AmqpConnection, EventPublisher, topologyNames } from '@conveyor/messaging';
import { generateSigningKey, signAccessToken } from '@conveyor/service-testing';
import { TEST_AMQP_URL, waitFor } from '@conveyor/testing';
import { createDecipheriv, createHmac, createPrivateKey, createPublicKey, randomUUID, type JsonWebKey } from 'node:crypto';
import { Client } from 'pg';
import { call, registerAndLogin } from './support/http';
import { startPlatform, type Platform } from './support/platform';
import { newSdkClient } from './support/sdk';
import { runServiceCommand, SYSTEM_TEST_ADMIN_EMAIL } from './support/service-process';

const SERVICES = ['auth', 'user', 'billing', 'jobs', 'webhook-delivery'] as const;
type Service = (typeof SERVICES)[number];
/** A route of each service that needs a valid access token. */
const GUARDED: Record<Service, string> = {
  auth: '/v1/auth/me',
  user: '/v1/users/me',
  billing: '/v1/billing/balance',
  jobs: '/v1/jobs',
  'webhook-delivery': '/v1/webhooks/endpoints',
};
/** auth's development key-encryption key, which it uses outside production when none is set. */
const DEVELOPMENT_KEY_ENCRYPTION_KEY = Buffer.alloc(32, 'conveyor-development-only');

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const kidOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as { kid: string }).kid;

/** Accounts and tokens across all five services, each in its own process, with auth's real JWKS. */
describe('accounts and access tokens (separate processes, real JWKS)', () => {
  let platform: Platform;
  let db: Client;
  const url = (service: Service) => platform.service(service).url;

  beforeAll(async () => {
    platform = await startPlatform({
      services: [...SERVICES],
      // A rotated key signs after 1 s; services may refetch the JWKS for an unknown kid every 0.5 s.
      env: { SIGNING_KEY_ACTIVATION_SECONDS: '1', AUTH_JWKS_REFETCH_INTERVAL_MS: '500' },
    });
    db = new Client({ connectionString: platform.db.adminUrl });
    await db.connect();
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    await platform?.stop();
  });

  const statusAt = async (service: Service, token: string) => (await call(`${url(service)}${GUARDED[service]}`, { token })).status;
  const statusesEverywhere = async (token: string) =>
    Object.fromEntries(await Promise.all(SERVICES.map(async (s) => [s, await statusAt(s, token)] as const)));
  const everywhere = (status: number) => Object.fromEntries(SERVICES.map((s) => [s, status]));

  /** Signs like auth, with auth's own private key read back from its table (tests only). */
  async function signWithAuthKey(kid: string, claims: Record<string, unknown>) {
    const { rows } = await db.query<{ private_key_encrypted: string }>(`SELECT private_key_encrypted FROM auth.signing_keys WHERE kid = $1`, [kid]);
    const [, iv, tag, ciphertext] = rows[0].private_key_encrypted.split('.');
    const decipher = createDecipheriv('aes-256-gcm', DEVELOPMENT_KEY_ENCRYPTION_KEY, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const der = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
    return signAccessToken({ ...claims, key: { kid, privateKey: createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }) } });
  }

  it('accepts tokens auth signed at every service, and refuses forged, expired and not-yet-valid ones with 401 everywhere', async () => {
    const user = await registerAndLogin(url('auth'));
    await waitFor(async () => (await statusAt('billing', user.token)) === 200 && (await statusAt('user', user.token)) === 200, {
      description: 'the profile and the billing account',
    });
    const kid = kidOf(user.token);
    const claims = { sub: user.id, email: user.email, roles: ['user'], iss: 'conveyor-auth' };
    const now = Math.floor(Date.now() / 1000);
    const { keys } = (await call(`${url('auth')}/.well-known/jwks.json`)).body as { keys: (JsonWebKey & { kid: string })[] };
    const publicPem = createPublicKey({ key: keys.find((k) => k.kid === kid) as JsonWebKey, format: 'jwk' })
      .export({ type: 'spki', format: 'pem' })
      .toString();
    const hs256Unsigned = `${b64({ alg: 'HS256', typ: 'JWT', kid })}.${b64({ ...claims, exp: now + 60 })}`;

    const forged = {
      'a key auth does not publish': await signAccessToken({ userId: user.id, email: user.email, key: generateSigningKey() }),
      'alg none': `${b64({ alg: 'none', typ: 'JWT', kid })}.${b64({ ...claims, exp: now + 60 })}.`,
      'HS256 with the public key as secret': `${hs256Unsigned}.${createHmac('sha256', publicPem).update(hs256Unsigned).digest('base64url')}`,
      expired: await signWithAuthKey(kid, { userId: user.id, email: user.email, expiresIn: -30 }),
      'not valid yet': await signWithAuthKey(kid, { userId: user.id, email: user.email, notBefore: 120 }),
    };

    expect(await statusesEverywhere(user.token)).toEqual(everywhere(200));
    for (const [what, token] of Object.entries(forged)) {
      expect({ what, statuses: await statusesEverywhere(token) }).toEqual({ what, statuses: everywhere(401) });
    }
  });

  it('rotates keys with `rotate-keys`: tokens of the previous key keep working and tokens of the new key work everywhere', async () => {
    const before = await registerAndLogin(url('auth'));
    await waitFor(async () => (await statusAt('billing', before.token)) === 200 && (await statusAt('user', before.token)) === 200, {
      description: 'the profile and the billing account',
    });

    const { exit, output } = runServiceCommand('auth', { ...platform.env, DATABASE_URL: platform.db.urlFor('auth') }, ['rotate-keys']);
    expect(await exit).toBe(0);
    const newKid = /new signing key ([0-9a-f-]{36})/.exec(output.join('\n'))?.[1];
    const after = await waitFor(
      async () => {
        const login = await call(`${url('auth')}/v1/auth/login`, { body: { email: before.email, password: 'correct horse battery' } });
        const token = String(login.body['accessToken']);
        return kidOf(token) === newKid && token;
      },
      { description: 'auth to sign with the new key', timeoutMs: 15_000, intervalMs: 250 },
    );

    expect(kidOf(before.token)).not.toBe(newKid);
    expect(await statusesEverywhere(after)).toEqual(everywhere(200));
    expect(await statusesEverywhere(before.token)).toEqual(everywhere(200));
  }, 30_000);

  it('answers 403 to non-admins and serves admins on the admin routes of user, billing and webhook-delivery', async () => {
    const plain = await registerAndLogin(url('auth'));
    const admin = await registerAndLogin(url('auth'), SYSTEM_TEST_ADMIN_EMAIL);
    await waitFor(async () => (await statusAt('billing', plain.token)) === 200, { description: 'the billing account' });
    const grant = (token: string) => call(`${url('billing')}/v1/billing/accounts/${plain.id}/grants`, { token, body: { credits: 1 } });
    const list = (token: string) => call(`${url('user')}/v1/users`, { token });

    const deliveries = (token: string) => call(`${url('webhook-delivery')}/v1/webhooks/admin/messages`, { token });

    expect((await list(plain.token)).status).toBe(403);
    expect((await grant(plain.token)).status).toBe(403);
    expect((await deliveries(plain.token)).status).toBe(403);
    expect((await list(admin.token)).status).toBe(200);
    expect((await grant(admin.token)).status).toBe(201);
    expect((await deliveries(admin.token)).status).toBe(200);
  });

  it("deleting a user makes their credentials, API key, queued job and billing account inactive within seconds, once even when the event comes twice", async () => {
    // given a client with an API key, a running job and a queued one behind it (basic plan: one at a time)
    const { client: sdk, user, email, apiKey, accessToken } = await newSdkClient(platform);
    // What comes after the deletion is checked with raw requests: their statuses are the point.
    const client = { id: user.id, email, token: accessToken() };
    await waitFor(async () => (await statusAt('user', client.token)) === 200, { description: 'the profile' });
    const submit = async (delayMs: number) => (await sdk.jobs.submit({ type: 'echo', input: { delayMs } })).id;
    // and a webhook endpoint (a public address that nothing here reaches: its deliveries stay pending)
    await sdk.webhooks.createEndpoint({ url: 'https://93.184.215.14/conveyor-hook' });
    const running = await submit(3_000);
    const queued = await submit(0);
    const jobStatus = async (id: string) => (await db.query<{ status: string }>(`SELECT status FROM jobs.jobs WHERE id = $1`, [id])).rows[0]?.status;
    await waitFor(async () => (await jobStatus(running)) === 'running' && (await jobStatus(queued)) === 'queued', {
      description: 'one job running and one queued',
    });
    // a canceled job's webhook is on its way to the endpoint, which cannot be reached
    const canceled = await submit(0);
    expect((await sdk.jobs.cancel(canceled)).status).toBe('canceled');
    const pendingDeliveries = async () =>
      (await db.query(`SELECT 1 FROM webhooks.deliveries WHERE user_id = $1 AND status = 'pending'`, [client.id])).rowCount;
    await waitFor(async () => (await pendingDeliveries()) === 1, { description: 'a pending webhook delivery', timeoutMs: 15_000 });

    // when the user deletes their account
    const deleted = await call(`${url('user')}/v1/users/me`, { method: 'DELETE', token: client.token });
    const deletedAt = Date.now();
    expect(deleted.status).toBe(204);

    // then every service has applied it within seconds, as each one's API shows
    await waitFor(
      async () =>
        (await call(`${url('auth')}/v1/auth/login`, { body: { email: client.email, password: 'correct horse battery' } })).status === 401 &&
        (await call(`${url('jobs')}/v1/jobs`, { token: apiKey })).status === 401 &&
        (await call(`${url('billing')}/v1/billing/balance`, { token: client.token })).body['code'] === 'BILLING.ACCOUNT_CLOSED' &&
        (await statusAt('webhook-delivery', client.token)) === 401 &&
        (await jobStatus(queued)) === 'canceled',
      { description: 'every service to apply the deletion', timeoutMs: 5_000, intervalMs: 100 },
    );
    expect(Date.now() - deletedAt).toBeLessThan(5_000);
    expect((await call(`${url('auth')}/v1/auth/me`, { token: client.token })).status).toBe(401);
    expect((await call(`${url('user')}/v1/users/me`, { token: client.token })).status).toBe(404);
    expect((await call(`${url('jobs')}/v1/jobs`, { token: client.token })).status).toBe(401);
    const webhooks = async () =>
      (
        await db.query<{ enabled: number; secrets: number; pending: number; dropped: number }>(
          `SELECT (SELECT count(*) FROM webhooks.endpoints WHERE user_id = $1 AND disabled_at IS NULL)::int AS enabled,
                  (SELECT count(*) FROM webhooks.secrets WHERE user_id = $1)::int AS secrets,
                  (SELECT count(*) FROM webhooks.deliveries WHERE user_id = $1 AND status = 'pending')::int AS pending,
                  (SELECT count(*) FROM webhooks.deliveries WHERE user_id = $1 AND status = 'dropped')::int AS dropped`,
          [client.id],
        )
      ).rows[0];
    await waitFor(async () => (await webhooks())?.enabled === 0, { description: 'the webhook endpoints to be disabled', timeoutMs: 15_000 });
    // The cancel of the queued job may reach webhook-delivery before the deletion does, so more
    // than one delivery can have been pending; none is left.
    const afterDeletion = await webhooks();
    expect(afterDeletion).toEqual({ enabled: 0, secrets: 0, pending: 0, dropped: expect.any(Number) });
    expect(afterDeletion?.dropped).toBeGreaterThanOrEqual(1);

    // and the same event delivered again changes nothing anywhere
    const effects = async () =>
      (
        await db.query<{ disabled: number; revoked: number; canceled: number }>(
          `SELECT (SELECT count(*) FROM auth.outbox WHERE event_type = 'auth.user.disabled.v1' AND envelope->>'subject' = $1)::int AS disabled,
                  (SELECT count(*) FROM auth.outbox WHERE event_type = 'auth.api_key.revoked.v1' AND envelope->'data'->>'userId' = $1)::int AS revoked,
                  (SELECT count(*) FROM jobs.outbox WHERE event_type = 'jobs.job.canceled.v1' AND envelope->'data'->>'userId' = $1
                    AND envelope->>'subject' <> $2)::int AS canceled`,
          [client.id, canceled],
        )
      ).rows[0];
    const once = await effects();
    const { rows } = await db.query<{ envelope: EventEnvelope }>(`SELECT envelope FROM users.outbox WHERE event_type = 'users.user.deleted.v1' AND envelope->>'subject' = $1`, [
      client.id,
    ]);
    // A skipped duplicate leaves no trace, so a marker event published after it tells when the
    // consumers have got past it.
    const marker = { ...rows[0].envelope, id: randomUUID(), subject: randomUUID() };
    marker.data = { ...(marker.data as object), userId: marker.subject };
    await redeliver(rows[0].envelope);
    await redeliver(marker);
    await waitFor(
      async () =>
        (
          await db.query(
            `SELECT 1 FROM auth.inbox WHERE event_id = $1 UNION ALL SELECT 1 FROM billing.inbox WHERE event_id = $1
             UNION ALL SELECT 1 FROM jobs.inbox WHERE event_id = $1 UNION ALL SELECT 1 FROM webhooks.inbox WHERE event_id = $1`,
            [marker.id],
          )
        ).rowCount === 4,
      { description: 'the marker after the duplicate to be handled everywhere' },
    );
    expect(once).toEqual({ disabled: 1, revoked: 1, canceled: 1 });
    expect(await effects()).toEqual(once);
    expect(await webhooks()).toEqual(afterDeletion);
  }, 30_000);

  /** Publishes an event into the platform's namespace again, as a broker redelivery would. */
  async function redeliver(event: EventEnvelope) {
    const connection = new AmqpConnection(TEST_AMQP_URL, 'accounts-e2e');
    const publisher = new EventPublisher(connection, topologyNames(String(platform.env['AMQP_NAMESPACE']), 'spec'));
    try {
      await publisher.publish(event);
    } finally {
      await publisher.close();
      await connection.close();
    }
  }
});
