import { startTestVendor, waitFor, type TestVendor } from '@conveyor/testing';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { linesLeaking, scanLines, type ScannedLine } from './support/log-scan';
import { startPlatform, type Platform } from './support/platform';
import type { ServiceName } from './support/service-process';

const SERVICES: ServiceName[] = ['auth', 'user', 'billing', 'jobs', 'webhook-delivery'];
const VENDOR_SECRET = `vendor-callback-secret-${randomBytes(12).toString('hex')}`;
const VENDOR_API_KEY = `vendor-api-key-${randomBytes(12).toString('hex')}`;
const RESULT_URL_SIGNING_KEY = `result-links-${randomBytes(24).toString('hex')}`;

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

async function send(url: string, init: { method?: string; body?: unknown; token?: string; headers?: Record<string, string>; form?: FormData } = {}): Promise<Answer> {
  const response = await fetch(url, {
    method: init.method ?? (init.body === undefined && !init.form ? 'GET' : 'POST'),
    headers: {
      ...(init.body !== undefined && { 'content-type': 'application/json' }),
      ...(init.token && { authorization: `Bearer ${init.token}` }),
      ...init.headers,
    },
    body: init.form ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
  });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    // a file download
  }
  return { status: response.status, body, headers: response.headers };
}

/**
 * Log hygiene across the whole platform: every service as its own process, driven through the
 * flows that create each kind of secret (passwords, access and refresh tokens, the refresh
 * cookie, API keys, webhook secrets, mailed tokens, signed result links, vendor credentials).
 * Then every line every process wrote is read: each is JSON with the service's name, request
 * logs carry their trace and request ids, and no secret appears in any form.
 *
 * Mailed tokens: without SMTP and outside production, auth writes account mails to its log so a
 * developer can use them (that is the dev mail sender's purpose, and how this spec reads them).
 * Those lines are the one place such a token may appear; in production the sender logs only that
 * a mail was dropped (see services/auth/src/mail/mail-sender.unit.spec.ts).
 */
describe('log hygiene across all five services (separate processes)', () => {
  let platform: Platform;
  let receiver: Server;
  let vendor: TestVendor;
  const secrets: Record<string, string> = {
    'vendor callback secret': VENDOR_SECRET,
    'vendor API key': VENDOR_API_KEY,
    'result link signing key': RESULT_URL_SIGNING_KEY,
  };
  const mailedTokens: Record<string, string> = {};
  const webhookBodies: string[] = [];
  const lines = () => SERVICES.flatMap((name) => scanLines(name, platform.service(name).output));

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        webhookBodies.push(Buffer.concat(chunks).toString('utf8'));
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((listening) => receiver.listen(0, '127.0.0.1', listening));
    vendor = await startTestVendor({ name: 'later', mode: 'async', secret: VENDOR_SECRET });
    platform = await startPlatform({
      services: SERVICES,
      env: {
        JOBS_ALLOW_HTTP_WEBHOOKS: 'true',
        JOBS_ALLOW_LOOPBACK_WEBHOOKS: 'true',
        WEBHOOKS_ALLOW_HTTP: 'true',
        WEBHOOKS_ALLOW_LOOPBACK: 'true',
        JOBS_ALLOW_LOOPBACK_VENDORS: 'true',
        WORKER_POLL_INTERVAL_MS: '100',
        RESULT_URL_SIGNING_KEY,
        JOBS_VENDORS: JSON.stringify({
          later: {
            baseUrl: vendor.url,
            mode: 'async',
            secret: VENDOR_SECRET,
            authHeader: { name: 'X-Api-Key', value: VENDOR_API_KEY },
            rateLimit: { requests: 100, intervalMs: 1000 },
          },
        }),
      },
    });
    vendor.callBackTo(platform.service('jobs').url);
  }, 120_000);

  afterAll(async () => {
    await platform?.stop();
    await vendor?.close();
    receiver?.closeAllConnections();
    await new Promise((closed) => receiver?.close(closed));
  });

  /** The token of the last mail with this subject that auth's dev mail sender logged for `email`. */
  function mailedToken(email: string, subject: RegExp): Promise<string> {
    return waitFor(
      () => {
        const mail = scanLines('auth', platform.service('auth').output)
          .map((line) => String(line.json?.['message'] ?? ''))
          .filter((message) => message.includes(`to ${email}:`) && subject.test(message))
          .at(-1);
        return mail?.trim().split('\n').at(-1);
      },
      { description: `a mail to ${email}` },
    );
  }

  it('creates every kind of secret through the public API', async () => {
    const [auth, jobs, webhooks] = (['auth', 'jobs', 'webhook-delivery'] as const).map((name) => platform.service(name).url);
    const email = `logs-${randomBytes(6).toString('hex')}@example.com`;
    const passwords = [1, 2, 3].map((n) => `password-${n}-${randomBytes(10).toString('hex')}`);
    passwords.forEach((password, i) => (secrets[`password ${i + 1}`] = password));

    // register, confirm, log in (body and cookie), refresh (body and cookie), log out
    expect((await send(`${auth}/v1/auth/register`, { body: { email, password: passwords[0], name: 'Log Scan' } })).status).toBe(201);
    mailedTokens['email confirmation token'] = await mailedToken(email, /confirm/i);
    expect((await send(`${auth}/v1/auth/confirm`, { body: { token: mailedTokens['email confirmation token'] } })).status).toBe(204);
    const login = await send(`${auth}/v1/auth/login`, { body: { email, password: passwords[0] } });
    expect(login.status).toBe(200);
    secrets['access token'] = String(login.body['accessToken']);
    secrets['refresh token'] = String(login.body['refreshToken']);
    const refreshed = await send(`${auth}/v1/auth/refresh`, { body: { refreshToken: secrets['refresh token'] } });
    expect(refreshed.status).toBe(200);
    secrets['refreshed access token'] = String(refreshed.body['accessToken']);
    secrets['second refresh token'] = String(refreshed.body['refreshToken']);
    const cookieLogin = await send(`${auth}/v1/auth/login`, { body: { email, password: passwords[0], refreshTokenCookie: true } });
    const cookieOf = (answer: Answer) => String(answer.headers.get('set-cookie')).split(';')[0] ?? '';
    const valueOf = (cookie: string) => decodeURIComponent(cookie.split('=').slice(1).join('='));
    const cookie = cookieOf(cookieLogin);
    secrets['refresh cookie'] = valueOf(cookie);
    const cookieRefresh = await send(`${auth}/v1/auth/refresh`, { method: 'POST', headers: { cookie } });
    expect(cookieRefresh.status).toBe(200);
    secrets['cookie-refreshed access token'] = String(cookieRefresh.body['accessToken']);
    secrets['renewed refresh cookie'] = valueOf(cookieOf(cookieRefresh));
    expect((await send(`${auth}/v1/auth/logout`, { body: { refreshToken: secrets['second refresh token'] } })).status).toBe(204);
    const token = secrets['cookie-refreshed access token'];

    // change the password, then forget it and reset it from the mailed token
    expect((await send(`${auth}/v1/auth/password/change`, { token, body: { currentPassword: passwords[0], newPassword: passwords[1] } })).status).toBe(204);
    expect((await send(`${auth}/v1/auth/password/forgot`, { body: { email } })).status).toBe(202);
    mailedTokens['password reset token'] = await mailedToken(email, /reset/i);
    expect((await send(`${auth}/v1/auth/password/reset`, { body: { token: mailedTokens['password reset token'], password: passwords[2] } })).status).toBe(204);
    const relogin = await send(`${auth}/v1/auth/login`, { body: { email, password: passwords[2] } });
    expect(relogin.status).toBe(200);
    secrets['access token after reset'] = String(relogin.body['accessToken']);
    secrets['refresh token after reset'] = String(relogin.body['refreshToken']);
    const bearer = secrets['access token after reset'];

    // an API key, used at jobs
    const key = await send(`${auth}/v1/auth/api-keys`, { token: bearer, body: { name: 'log scan' } });
    expect(key.status).toBe(201);
    const apiKey = (secrets['API key'] = String(key.body['key']));
    await waitFor(async () => (await send(`${jobs}/v1/jobs`, { token: apiKey })).status === 200, { description: 'jobs to know the API key' });

    // webhook secrets: an endpoint's, rotated; the default one, read and rotated
    const { port } = receiver.address() as AddressInfo;
    const endpoint = await send(`${webhooks}/v1/webhooks/endpoints`, { token: bearer, body: { url: `http://127.0.0.1:${port}/hooks` } });
    expect(endpoint.status).toBe(201);
    secrets['endpoint secret'] = String(endpoint.body['secret']);
    const rotated = await send(`${webhooks}/v1/webhooks/endpoints/${String(endpoint.body['id'])}/rotate-secret`, { token: bearer, body: { graceSeconds: 0 } });
    expect(rotated.status).toBe(200);
    secrets['rotated endpoint secret'] = String(rotated.body['secret']);
    const defaultSecret = await send(`${webhooks}/v1/webhooks/secret`, { token: bearer });
    expect(defaultSecret.status).toBe(200);
    secrets['default webhook secret'] = String(defaultSecret.body['secret']);
    const rotatedDefault = await send(`${webhooks}/v1/webhooks/secret/rotate`, { token: bearer, body: {} });
    expect(rotatedDefault.status).toBe(200);
    secrets['rotated default webhook secret'] = String(rotatedDefault.body['secret']);

    // an image job by upload, whose result is fetched by its signed link
    const form = new FormData();
    form.set('type', 'image.transform');
    form.set('input', JSON.stringify({ operations: [{ op: 'grayscale' }] }));
    form.set('webhookUrl', `http://127.0.0.1:${port}/job-hook`);
    const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#c04020' } }).png().toBuffer();
    form.set('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'tiny.png');
    const image = await send(`${jobs}/v1/jobs`, { token: apiKey, form });
    expect(image.status).toBe(202);
    const imageJob = await waitFor(
      async () => {
        const job = await send(`${jobs}/v1/jobs/${String(image.body['id'])}`, { token: apiKey });
        return job.body['status'] === 'succeeded' && job.body;
      },
      { description: 'the image job to succeed', timeoutMs: 20_000 },
    );
    const signatureOf = (url: string) => new URL(url, jobs).searchParams.get('signature') ?? '';
    const signedUrl = String((imageJob['result'] as Record<string, unknown>)['signedUrl']);
    secrets['result link signature'] = signatureOf(signedUrl);
    expect((await send(`${jobs}${signedUrl}`)).status).toBe(200);
    // the succeeded event, and so the job's webhook, carries a link signed when the job finished
    const delivered = await waitFor(() => webhookBodies.find((body) => body.includes(String(image.body['id'])) && body.includes('signedUrl')), {
      description: "the image job's webhook",
    });
    secrets['result link signature in the event'] = signatureOf(String(/"signedUrl":"([^"]+)"/.exec(delivered)?.[1]));

    // a vendor job: jobs calls the vendor with its key, the vendor calls back signed
    const vendorJob = await send(`${jobs}/v1/jobs`, { token: apiKey, body: { type: 'vendor.call', input: { vendor: 'later', payload: { q: 'logs' } } } });
    expect(vendorJob.status).toBe(202);
    await waitFor(async () => (await send(`${jobs}/v1/jobs/${String(vendorJob.body['id'])}`, { token: apiKey })).body['status'] === 'succeeded', {
      description: 'the vendor job to succeed from its callback',
      timeoutMs: 20_000,
    });
    expect(vendor.requests[0]?.headers['x-api-key']).toBe(VENDOR_API_KEY);

    expect(Object.values(secrets).filter((secret) => secret.length < 16 || secret === 'undefined')).toEqual([]);
  }, 45_000);

  it('serves the API documents from every process, as main.ts starts it', async () => {
    for (const name of SERVICES) {
      const { url } = platform.service(name);
      const [openapi, asyncapi] = await Promise.all([send(`${url}/docs/openapi.json`), send(`${url}/docs/asyncapi.json`)]);
      expect({ name, openapi: openapi.body['openapi'], asyncapi: asyncapi.body['asyncapi'] }).toEqual({ name, openapi: '3.1.0', asyncapi: '3.0.0' });
    }
  });

  it('writes every line as JSON naming its service', () => {
    const all = lines();
    expect(all.length).toBeGreaterThan(50);
    expect(all.filter((line) => !line.json).map((line) => `${line.service}: ${line.raw.slice(0, 200)}`)).toEqual([]);
    expect(all.filter((line) => line.json?.['service'] !== line.service).map((line) => `${line.service}: ${line.raw.slice(0, 200)}`)).toEqual([]);
  });

  it('logs each request without its body, with its request id, trace id and span id', () => {
    const requests = lines().filter((line) => line.json?.['req'] && line.json?.['res']);
    expect(requests.length).toBeGreaterThan(20);
    const incomplete = requests.filter(({ json }) => {
      const req = json?.['req'] as Record<string, unknown>;
      return (
        !/^[0-9a-f]{32}$/.test(String(json?.['trace_id'])) ||
        !/^[0-9a-f]{16}$/.test(String(json?.['span_id'])) ||
        !req['id'] ||
        Object.keys(req).some((key) => !['id', 'method', 'url'].includes(key))
      );
    });
    expect(incomplete.map((line) => line.raw.slice(0, 300))).toEqual([]);
  });

  it('shows no secret in any log line, in any encoding', () => {
    expect(linesLeaking(lines(), secrets)).toEqual([]);
  });

  it('shows mailed tokens only in the development mail log lines that carry them to the developer', () => {
    const isDevMail = (line: ScannedLine) => line.service === 'auth' && line.json?.['context'] === 'Mail';
    expect(Object.keys(mailedTokens)).toHaveLength(2);
    expect(linesLeaking(lines().filter((line) => !isDevMail(line)), mailedTokens)).toEqual([]);
  });
});
