import { AuthClient, BillingClient, ConveyorClient, JobsClient, WebhooksClient, type HttpExchange } from '@conveyor/client';
import { waitFor } from '@conveyor/testing';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { fetchOpenApiDocuments, OpenApiConformance } from './support/openapi-conformance';
import { startPlatform, type Platform } from './support/platform';
import { PASSWORD } from './support/sdk';
import { REPO_ROOT, SYSTEM_TEST_ADMIN_EMAIL } from './support/service-process';

/**
 * The operations each SDK method calls. A new method fails the coverage check below until it is
 * named here and exercised by the flow, so no method escapes the comparison with the documents.
 */
const OPERATIONS_OF: Record<string, string[]> = {
  'auth.register': ['POST /v1/auth/register'],
  'auth.login': ['POST /v1/auth/login'],
  'auth.refresh': ['POST /v1/auth/refresh'],
  'auth.logout': ['POST /v1/auth/logout'],
  'auth.logoutAll': ['POST /v1/auth/logout-all'],
  'auth.changePassword': ['POST /v1/auth/password/change'],
  'auth.confirmEmail': ['POST /v1/auth/confirm'],
  'auth.forgotPassword': ['POST /v1/auth/password/forgot'],
  'auth.resetPassword': ['POST /v1/auth/password/reset'],
  'auth.me': ['GET /v1/auth/me'],
  'auth.createApiKey': ['POST /v1/auth/api-keys'],
  'auth.listApiKeys': ['GET /v1/auth/api-keys'],
  'auth.revokeApiKey': ['DELETE /v1/auth/api-keys/{id}'],
  'jobs.submit': ['POST /v1/jobs'],
  'jobs.submitImageUpload': ['POST /v1/jobs'],
  'jobs.get': ['GET /v1/jobs/{id}'],
  'jobs.list': ['GET /v1/jobs'],
  'jobs.cancel': ['POST /v1/jobs/{id}/cancel'],
  'jobs.result': ['GET /v1/jobs/{id}/result'],
  'jobs.events': ['GET /v1/jobs/{id}/events'],
  'jobs.allEvents': ['GET /v1/jobs/events'],
  'jobs.waitForJob': ['GET /v1/jobs/{id}/events', 'GET /v1/jobs/{id}'],
  'billing.balance': ['GET /v1/billing/balance'],
  'billing.ledger': ['GET /v1/billing/ledger'],
  'billing.topUp': ['POST /v1/billing/top-ups'],
  'billing.getTopUp': ['GET /v1/billing/top-ups/{id}'],
  'billing.changePlan': ['PUT /v1/billing/accounts/{userId}/plan'],
  'billing.grantCredits': ['POST /v1/billing/accounts/{userId}/grants'],
  'webhooks.createEndpoint': ['POST /v1/webhooks/endpoints'],
  'webhooks.listEndpoints': ['GET /v1/webhooks/endpoints'],
  'webhooks.getEndpoint': ['GET /v1/webhooks/endpoints/{id}'],
  'webhooks.updateEndpoint': ['PATCH /v1/webhooks/endpoints/{id}'],
  'webhooks.deleteEndpoint': ['DELETE /v1/webhooks/endpoints/{id}'],
  'webhooks.rotateEndpointSecret': ['POST /v1/webhooks/endpoints/{id}/rotate-secret'],
  'webhooks.sendTestMessage': ['POST /v1/webhooks/endpoints/{id}/test'],
  'webhooks.defaultSecret': ['GET /v1/webhooks/secret'],
  'webhooks.rotateDefaultSecret': ['POST /v1/webhooks/secret/rotate'],
  'webhooks.listMessages': ['GET /v1/webhooks/messages'],
  'webhooks.listAttempts': ['GET /v1/webhooks/messages/{id}/attempts'],
  'webhooks.replayMessage': ['POST /v1/webhooks/messages/{id}/replay'],
  'webhooks.replayExhausted': ['POST /v1/webhooks/replay'],
};

/** Private helpers sit on the prototypes too; they make no request of their own. */
const PRIVATE_HELPERS = ['constructor', 'stream', 'url'];
const methodsOf = (prefix: string, type: { prototype: object }) =>
  Object.getOwnPropertyNames(type.prototype)
    .filter((name) => !PRIVATE_HELPERS.includes(name))
    .map((name) => `${prefix}.${name}`);

/**
 * Every SDK method against the running services, each HTTP exchange recorded through the
 * transport's `onExchange` and compared with the OpenAPI document its service serves at
 * `/docs/openapi.json`: a request the documents do not name, a body or parameter that does not
 * fit their schemas, a credential they do not accept, or an answer they do not describe fails.
 */
describe('the client SDK against the OpenAPI documents the services serve', () => {
  let platform: Platform;
  const exchanges: HttpExchange[] = [];
  const receiver = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(204).end());
  });

  const sdk = () =>
    new ConveyorClient({
      urls: {
        auth: platform.service('auth').url,
        jobs: platform.service('jobs').url,
        billing: platform.service('billing').url,
        webhooks: platform.service('webhook-delivery').url,
      },
      onExchange: (exchange) => exchanges.push(exchange),
    });

  beforeAll(async () => {
    await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
    platform = await startPlatform({
      services: ['auth', 'billing', 'jobs', 'webhook-delivery'],
      env: {
        JOBS_ALLOW_HTTP_WEBHOOKS: 'true',
        JOBS_ALLOW_LOOPBACK_WEBHOOKS: 'true',
        WEBHOOKS_ALLOW_HTTP: 'true',
        WEBHOOKS_ALLOW_LOOPBACK: 'true',
        PAYMENT_SIMULATED_LATENCY_MS: '0',
        PAYMENT_SIMULATED_FAILURE_RATE: '0',
      },
    });
    await useEverySdkMethod();
  }, 240_000);
  afterAll(async () => {
    receiver.closeAllConnections();
    receiver.close();
    await platform?.stop();
  });

  async function useEverySdkMethod() {
    const hooks = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    const client = sdk();
    const email = `openapi-${Date.now()}@example.com`;
    const user = await client.auth.register({ email, password: PASSWORD, name: 'OpenAPI check' });
    await client.auth.login({ email, password: PASSWORD });
    await client.auth.me();
    const key = await client.auth.createApiKey({ name: 'conformance', scopes: ['jobs:read', 'jobs:write'] });
    const spare = await client.auth.createApiKey({ name: 'to revoke' });
    await client.auth.listApiKeys();
    await client.auth.revokeApiKey(spare.id);
    client.useApiKey(key.key);
    await waitFor(() => client.jobs.list({ limit: 5 }).then(() => true), { description: 'the jobs service to know the API key' });
    await waitFor(() => client.billing.balance(), { description: 'the billing account' });

    const admin = sdk();
    await admin.auth.register({ email: SYSTEM_TEST_ADMIN_EMAIL, password: PASSWORD });
    await admin.auth.login({ email: SYSTEM_TEST_ADMIN_EMAIL, password: PASSWORD });
    await admin.billing.changePlan(user.id, 'pro');
    await admin.billing.grantCredits(user.id, 50, 'OpenAPI check');
    await client.billing.ledger({ limit: 10 });
    const topUp = await client.billing.topUp(5);
    await waitFor(async () => (await client.billing.getTopUp(topUp.id)).status !== 'pending', { description: 'the top-up to be charged' });

    const endpoint = await client.webhooks.createEndpoint({ url: hooks, eventTypes: ['jobs.job.succeeded.v1'], description: 'conformance' });
    await client.webhooks.listEndpoints();
    await client.webhooks.getEndpoint(endpoint.id);
    await client.webhooks.updateEndpoint(endpoint.id, { description: 'renamed', rateLimitPerSecond: 50 });
    await client.webhooks.rotateEndpointSecret(endpoint.id, 60);
    const test = await client.webhooks.sendTestMessage(endpoint.id);
    await client.webhooks.defaultSecret();
    await client.webhooks.rotateDefaultSecret(0);

    // Every status change from now on: the stream is read until the first event, then dropped.
    const stream = new AbortController();
    const firstEvent = (async () => {
      for await (const event of client.jobs.allEvents({ signal: stream.signal })) return event;
      return undefined;
    })().catch(() => undefined);
    const echo = await client.jobs.submit({ type: 'echo', input: { hello: 'openapi' }, metadata: { check: 'openapi' }, webhookUrl: hooks });
    await client.jobs.waitForJob(echo.id, { mode: 'sse', timeoutMs: 30_000 });
    await firstEvent;
    stream.abort();
    for await (const event of client.jobs.events(echo.id)) void event;
    await client.jobs.get(echo.id);
    await client.jobs.result(echo.id);
    await client.jobs.list({ status: 'succeeded', type: 'echo', limit: 2 });
    await client.jobs.get('00000000-0000-4000-8000-000000000000').catch(() => undefined); // a documented 404

    const image = await client.jobs.submitImageUpload({
      operations: [{ op: 'thumbnail', size: 16 }, { op: 'format', format: 'webp' }],
      file: readFileSync(resolve(REPO_ROOT, 'demo/sample.png')),
      filename: 'sample.png',
      contentType: 'image/png',
    });
    await client.jobs.waitForJob(image.id, { mode: 'poll', pollIntervalMs: 200, timeoutMs: 30_000 });
    await client.jobs.result(image.id);

    const slow = await client.jobs.submit({ type: 'echo', input: { delayMs: 10_000 } });
    await client.jobs.cancel(slow.id);

    const message = await waitFor(
      async () => (await client.webhooks.listMessages({ limit: 20 })).items.find((m) => m.id === test.messageId && m.deliveries.every((d) => d.status !== 'pending')),
      { description: 'the test message to be delivered', timeoutMs: 20_000 },
    );
    await client.webhooks.listAttempts(message.id);
    await client.webhooks.replayMessage(message.id);
    await client.webhooks.replayExhausted({ since: new Date(Date.now() - 3_600_000).toISOString(), dryRun: true });
    await client.webhooks.deleteEndpoint(endpoint.id);

    // Mailed tokens are not read here: made-up ones get the documented 400.
    await client.auth.forgotPassword(email);
    await client.auth.confirmEmail('not-a-mailed-token').catch(() => undefined);
    await client.auth.resetPassword({ token: 'not-a-mailed-token', password: 'another good password' }).catch(() => undefined);
    await client.auth.changePassword({ currentPassword: PASSWORD, newPassword: `${PASSWORD} again` });
    await client.auth.refresh();
    await client.auth.logout();
    await admin.auth.logoutAll();
  }

  it('makes only requests that the documents name, with parameters, bodies and credentials that fit them', async () => {
    const conformance = new OpenApiConformance(await fetchOpenApiDocuments(urls()));

    const problems = new Set(exchanges.flatMap((exchange) => conformance.check(exchange)));

    expect(exchanges.length).toBeGreaterThan(40);
    expect([...problems]).toEqual([]);
  });

  it('used every SDK method, each through the operations it is listed with', async () => {
    const conformance = new OpenApiConformance(await fetchOpenApiDocuments(urls()));
    const methods = [
      ...methodsOf('auth', AuthClient),
      ...methodsOf('jobs', JobsClient),
      ...methodsOf('billing', BillingClient),
      ...methodsOf('webhooks', WebhooksClient),
    ].sort();
    const called = new Set(exchanges.map((exchange) => conformance.match(exchange)?.operation));

    expect(Object.keys(OPERATIONS_OF).sort()).toEqual(methods);
    expect(Object.values(OPERATIONS_OF).flat().filter((operation) => !called.has(operation))).toEqual([]);
  });

  const urls = () => ({
    auth: platform.service('auth').url,
    jobs: platform.service('jobs').url,
    billing: platform.service('billing').url,
    'webhook-delivery': platform.service('webhook-delivery').url,
  });
});
