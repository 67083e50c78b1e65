import { ConfigValidationError, loadConfig } from '@conveyor/config';
import { DEVELOPMENT_SECRETS_KEY, webhookDeliveryEnvSchema } from './webhook-delivery.config';

const base = {};
const key = Buffer.alloc(32, 1).toString('base64');

describe('webhook-delivery configuration', () => {
  it('has the issue’s defaults: the schedule, 20 % jitter, 15 s timeout, https only', () => {
    const config = loadConfig(webhookDeliveryEnvSchema, base);
    expect(config.WEBHOOK_RETRY_SCHEDULE).toEqual([0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
    expect(config).toMatchObject({
      WEBHOOK_RETRY_JITTER: 0.2,
      WEBHOOK_REQUEST_TIMEOUT_MS: 15_000,
      WEBHOOKS_ALLOW_HTTP: false,
      WEBHOOKS_ALLOW_LOOPBACK: false,
      WEBHOOK_DISABLE_AFTER_SECONDS: 5 * 86_400,
      WEBHOOK_SECRETS_KEY: DEVELOPMENT_SECRETS_KEY,
    });
  });

  it('requires its own secrets key in production', () => {
    expect(() => loadConfig(webhookDeliveryEnvSchema, { ...base, NODE_ENV: 'production' })).toThrow(/WEBHOOK_SECRETS_KEY/);
    expect(loadConfig(webhookDeliveryEnvSchema, { ...base, NODE_ENV: 'production', WEBHOOK_SECRETS_KEY: key }).WEBHOOK_SECRETS_KEY).toBe(key);
  });

  it('names every bad variable in one error', () => {
    let error: unknown;
    try {
      loadConfig(webhookDeliveryEnvSchema, {
        ...base,
        WEBHOOK_SECRETS_KEY: Buffer.alloc(16).toString('base64'),
        WEBHOOK_RETRY_SCHEDULE: '1s,soon',
        WEBHOOK_RETRY_JITTER: '2',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    const problems = (error as ConfigValidationError).problems.join('\n');
    for (const name of ['WEBHOOK_SECRETS_KEY', 'WEBHOOK_RETRY_SCHEDULE', 'WEBHOOK_RETRY_JITTER']) expect(problems).toContain(name);
  });
});
