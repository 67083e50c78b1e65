import {
  blockedUrls,
  notRefused,
  refusedTokens,
  rowsAsText,
  SQL_INJECTION_PROBES,
  useTestResolver,
} from '@conveyor/service-testing';
import { waitFor } from '@conveyor/testing';
import { createEndpoint, jobEvent, newClient, startWebhooks, type Client, type WebhooksUnderTest } from './webhook-spec-support';

const DEAD_END = 'http://127.0.0.1:9/hook';

describe('webhook-delivery security: tenants, tokens, secrets, SSRF, injection', () => {
  let webhooks: WebhooksUnderTest;
  let a: Client;
  let b: Client;
  let endpoint: { id: string; secret: string };
  let messageId: string;

  beforeAll(async () => {
    webhooks = await startWebhooks({ WEBHOOK_RETRY_SCHEDULE: '0' });
    [a, b] = [await newClient(), await newClient()];
    endpoint = await createEndpoint(webhooks, a, { url: DEAD_END });
    await webhooks.publish(jobEvent('failed', a.userId));
    const [message] = await waitFor(
      async () => {
        const rows = await webhooks.sql<{ id: string }>(
          `SELECT m.id FROM webhooks.messages m JOIN webhooks.deliveries d ON d.message_id = m.id WHERE m.user_id = $1 AND d.status = 'exhausted'`,
          [a.userId],
        );
        return rows.length > 0 && rows;
      },
      { description: "A's message to be exhausted" },
    );
    messageId = String(message?.id);
  });

  afterAll(() => webhooks?.close());

  describe('tenant isolation', () => {
    it.each([
      ['GET', '/v1/webhooks/endpoints/:endpoint', undefined],
      ['PATCH', '/v1/webhooks/endpoints/:endpoint', { description: 'mine now' }],
      ['DELETE', '/v1/webhooks/endpoints/:endpoint', undefined],
      ['POST', '/v1/webhooks/endpoints/:endpoint/rotate-secret', {}],
      ['POST', '/v1/webhooks/endpoints/:endpoint/test', undefined],
      ['GET', '/v1/webhooks/messages/:message/attempts', undefined],
      ['POST', '/v1/webhooks/messages/:message/replay', undefined],
    ])("answers 404 to client B's %s %s of client A's resource", async (method, template, body) => {
      const path = template.replace(':endpoint', endpoint.id).replace(':message', messageId);
      const reply = await webhooks.request(method, path, { token: b.token, body });
      expect(reply.status).toBe(404);
      expect(reply.contentType).toMatch(/^application\/problem\+json/);
      // and A's endpoint is untouched
      const mine = await webhooks.request('GET', `/v1/webhooks/endpoints/${endpoint.id}`, { token: a.token });
      expect(mine.body).toMatchObject({ id: endpoint.id, url: DEAD_END });
      expect(mine.body['description'] ?? null).toBeNull();
    });

    it("never lists client A's endpoints or messages to client B", async () => {
      const endpoints = await webhooks.request('GET', '/v1/webhooks/endpoints', { token: b.token });
      const messages = await webhooks.request('GET', '/v1/webhooks/messages?status=failed', { token: b.token });
      expect(endpoints.status).toBe(200);
      expect(messages.status).toBe(200);
      expect(endpoints.text).not.toContain(endpoint.id);
      expect(messages.text).not.toContain(messageId);
      expect(messages.text).not.toContain(a.userId);
    });

    it("does not replay client A's dead letters for client B, even naming A's endpoint", async () => {
      const reply = await webhooks.request('POST', '/v1/webhooks/replay', {
        token: b.token,
        body: { since: '2020-01-01T00:00:00Z', endpointId: endpoint.id },
      });
      expect(reply.status === 404 || reply.body['count'] === 0).toBe(true);
      const [delivery] = await webhooks.sql<{ status: string }>('SELECT status FROM webhooks.deliveries WHERE message_id = $1', [messageId]);
      expect(delivery?.status).toBe('exhausted');
    });

    it('keeps the admin views to tokens with the admin role', async () => {
      for (const [method, path] of [
        ['GET', '/v1/webhooks/admin/messages'],
        ['GET', `/v1/webhooks/admin/messages/${messageId}/attempts`],
        ['POST', `/v1/webhooks/admin/messages/${messageId}/replay`],
      ] as const) {
        expect((await webhooks.request(method, path, { token: b.token })).status).toBe(403);
      }
    });
  });

  it('refuses expired, tampered, alg none, unknown-key and other-issuer tokens on every route', async () => {
    const tokens = await refusedTokens(a.userId);
    const id = endpoint.id;
    const routes = [
      { method: 'POST', path: '/v1/webhooks/endpoints', body: { url: DEAD_END } },
      { method: 'GET', path: '/v1/webhooks/endpoints' },
      { method: 'GET', path: `/v1/webhooks/endpoints/${id}` },
      { method: 'PATCH', path: `/v1/webhooks/endpoints/${id}`, body: { enabled: false } },
      { method: 'DELETE', path: `/v1/webhooks/endpoints/${id}` },
      { method: 'POST', path: `/v1/webhooks/endpoints/${id}/rotate-secret`, body: {} },
      { method: 'POST', path: `/v1/webhooks/endpoints/${id}/test` },
      { method: 'GET', path: '/v1/webhooks/secret' },
      { method: 'POST', path: '/v1/webhooks/secret/rotate', body: {} },
      { method: 'GET', path: '/v1/webhooks/messages' },
      { method: 'GET', path: `/v1/webhooks/messages/${messageId}/attempts` },
      { method: 'POST', path: `/v1/webhooks/messages/${messageId}/replay` },
      { method: 'POST', path: '/v1/webhooks/replay', body: { since: '2020-01-01T00:00:00Z' } },
      { method: 'GET', path: '/v1/webhooks/admin/messages' },
      { method: 'POST', path: '/v1/webhooks/admin/replay', body: { since: '2020-01-01T00:00:00Z' } },
    ];
    expect(await notRefused(webhooks.url, routes, tokens)).toEqual([]);
    expect(await webhooks.request('GET', `/v1/webhooks/endpoints/${id}`, { token: a.token })).toMatchObject({ status: 200 });
  });

  describe('secrets', () => {
    it('shows a signing secret only when it is made, and stores it encrypted', async () => {
      const client = await newClient();
      const created = await createEndpoint(webhooks, client, { url: DEAD_END });
      const rotated = await webhooks.request('POST', `/v1/webhooks/endpoints/${created.id}/rotate-secret`, { token: client.token, body: {} });
      const secrets = [created.secret, String(rotated.body['secret'])];
      expect(secrets.every((s) => s.startsWith('whsec_'))).toBe(true);
      const reads = [
        await webhooks.request('GET', `/v1/webhooks/endpoints/${created.id}`, { token: client.token }),
        await webhooks.request('GET', '/v1/webhooks/endpoints', { token: client.token }),
        await webhooks.request('PATCH', `/v1/webhooks/endpoints/${created.id}`, { token: client.token, body: { description: 'x' } }),
      ];
      for (const reply of reads) {
        expect(reply.status).toBe(200);
        expect(reply.text).not.toContain('whsec_');
      }
      const stored = await rowsAsText(webhooks.sql, 'webhooks');
      for (const secret of secrets) {
        // Neither the secret nor its key bytes (base64 after whsec_) appear in any row, events included.
        expect(stored.filter((row) => row.includes(secret) || row.includes(secret.slice('whsec_'.length)))).toEqual([]);
      }
    });
  });

  describe('SSRF', () => {
    let restore: () => void;
    let strict: WebhooksUnderTest;
    beforeAll(async () => {
      restore = useTestResolver();
      // http allowed, so that the address is the only reason for a refusal; loopback refused.
      strict = await startWebhooks({ WEBHOOKS_ALLOW_LOOPBACK: 'false' });
    });
    afterAll(async () => {
      await strict?.close();
      restore?.();
    });

    it.each([...blockedUrls('https'), ...blockedUrls('http')])('refuses an endpoint URL on %s (%s)', async (_, url) => {
      const client = await newClient();
      const reply = await strict.request('POST', '/v1/webhooks/endpoints', { token: client.token, body: { url } });
      expect(reply.status).toBe(422);
      expect(reply.body).toMatchObject({ code: 'WEBHOOKS.ENDPOINT_URL_REFUSED' });
      // the reason never names the address a name resolved to
      expect(String(reply.body['reason'])).not.toMatch(/10\.1\.2\.3|192\.168\.0\.1|fd12/);
      expect(await strict.sql('SELECT 1 FROM webhooks.endpoints WHERE user_id = $1', [client.userId])).toEqual([]);
    });

    it('refuses to move an endpoint to a blocked address', async () => {
      const client = await newClient();
      const reply = await strict.request('POST', '/v1/webhooks/endpoints', { token: client.token, body: { url: 'https://public.ssrf.test/hook' } });
      expect(reply.status).toBe(201);
      const moved = await strict.request('PATCH', `/v1/webhooks/endpoints/${String(reply.body['id'])}`, {
        token: client.token,
        body: { url: 'https://metadata.ssrf.test/latest' },
      });
      expect(moved.status).toBe(422);
    });
  });

  it('stores SQL injection probes in every string field as plain text, and changes nothing else', async () => {
    const client = await newClient();
    const before = await webhooks.sql<{ n: number }>('SELECT count(*)::int AS n FROM webhooks.endpoints');
    for (const probe of SQL_INJECTION_PROBES) {
      const created = await webhooks.request('POST', '/v1/webhooks/endpoints', { token: client.token, body: { url: DEAD_END, description: probe } });
      expect(created.status).toBe(201);
      expect(created.body['description']).toBe(probe);
      const id = encodeURIComponent(probe);
      expect((await webhooks.request('GET', `/v1/webhooks/endpoints/${id}`, { token: client.token })).status).toBe(404);
      expect((await webhooks.request('GET', `/v1/webhooks/messages?cursor=${id}`, { token: client.token })).status).toBe(400);
      expect((await webhooks.request('GET', `/v1/webhooks/messages?status=${id}`, { token: client.token })).status).toBe(400);
    }
    const after = await webhooks.sql<{ n: number }>('SELECT count(*)::int AS n FROM webhooks.endpoints');
    expect(after[0]?.n).toBe((before[0]?.n ?? 0) + SQL_INJECTION_PROBES.length);
    expect(await webhooks.sql('SELECT 1 FROM webhooks.endpoints WHERE id = $1', [endpoint.id])).toHaveLength(1);
  });
});
