import { waitFor } from '@conveyor/testing';
import { randomUUID } from 'node:crypto';
import { call, registerAndLogin } from './support/http';
import { SPAN_KIND, startOtlpReceiver, type ReceivedSpan } from './support/otlp-receiver';
import { startPlatform, type Platform } from './support/platform';
import { generateSigningKey, signAccessToken } from '@conveyor/service-testing';


describe('register → profile (auth and user as separate processes)', () => {
  let platform: Platform;
  let otlp: Awaited<ReturnType<typeof startOtlpReceiver>>;

  beforeAll(async () => {
    otlp = await startOtlpReceiver();
    platform = await startPlatform({
      services: ['auth', 'user'],
      env: {
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint,
        OTEL_BSP_SCHEDULE_DELAY: '100',
      },
    });
  }, 90_000);

  afterAll(async () => {
    await platform?.stop();
    await otlp?.close();
  });

  it('makes the profile readable from the user service within a second of registering', async () => {
    const auth = platform.service('auth').url;
    const email = `fast-${randomUUID()}@example.com`;
    const registered = await call(`${auth}/v1/auth/register`, { body: { email, password: 'correct horse battery', name: 'Test User' } });
    const registeredAt = Date.now();
    expect(registered.status).toBe(201);

    const login = await call(`${auth}/v1/auth/login`, { body: { email, password: 'correct horse battery' } });
    const profile = await waitFor(
      async () => {
        const res = await call(`${platform.service('user').url}/v1/users/me`, { token: String(login.body['accessToken']) });
        return res.status === 200 && res.body;
      },
      { description: 'the profile', timeoutMs: 1_000, intervalMs: 20 },
    );

    expect(Date.now() - registeredAt).toBeLessThan(1_000);
    expect(profile).toMatchObject({ id: registered.body['id'], email, name: 'Test User' });
  });

  it('answers 401 without a token and with a token signed by a key auth does not publish', async () => {
    const userUrl = `${platform.service('user').url}/v1/users/me`;
    const forged = await signAccessToken({ userId: randomUUID(), key: generateSigningKey() });

    const anonymous = await call(userUrl);
    const refused = await call(userUrl, { token: forged });

    expect(refused.status).toBe(401);
    expect(refused.body['code']).toBe('AUTH.UNAUTHENTICATED');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toMatch(/application\/problem\+json/);
  });

  it('puts the register request, the relay and the user service consumer in one trace', async () => {
    const user = await registerAndLogin(platform.service('auth').url);
    const find = (description: string, match: (s: ReceivedSpan) => boolean) =>
      waitFor(() => otlp.spans.find(match), { description, timeoutMs: 10_000 });

    const publish = await find('the publish span of the registration event', (s) => s.kind === SPAN_KIND.PRODUCER && s.attributes['conveyor.event.subject'] === user.id);
    const request = await find('the register request span', (s) => s.spanId === publish.parentSpanId);
    const consumer = await find("the user service's consumer span", (s) => s.kind === SPAN_KIND.CONSUMER && s.attributes['conveyor.event.subject'] === user.id);

    expect(request).toMatchObject({ service: 'auth', kind: SPAN_KIND.SERVER, traceId: publish.traceId });
    expect(JSON.stringify(request.attributes)).toContain('/v1/auth/register');
    expect(publish.service).toBe('auth');
    expect(consumer).toMatchObject({ service: 'user', traceId: request.traceId, parentSpanId: publish.spanId });
    const requestLog = platform
      .service('auth')
      .output.map((line) => JSON.parse(line) as { trace_id?: string; req?: { url?: string } })
      .find((line) => line.trace_id === request.traceId && line.req?.url === '/v1/auth/register');
    expect(requestLog).toBeDefined();
  });
});
