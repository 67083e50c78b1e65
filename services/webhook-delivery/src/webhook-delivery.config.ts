import { serviceEnvSchema, type ServiceConfig } from '@conveyor/config';
import Joi from 'joi';
import { parseRetrySchedule } from './delivery/retry-schedule';

interface WebhookDeliveryOwnConfig {
  /** AES-256-GCM key (base64 of 32 bytes) that encrypts signing secrets at rest. */
  WEBHOOK_SECRETS_KEY: string;
  /** Accept `http://` endpoint URLs (development only); https is always accepted. */
  WEBHOOKS_ALLOW_HTTP: boolean;
  /** Accept and deliver to URLs that resolve to loopback (tests only); private ranges stay refused. */
  WEBHOOKS_ALLOW_LOOPBACK: boolean;
  /** Delay before each attempt, in ms, parsed from e.g. `0,5s,5m,30m,2h,5h,10h,10h`. */
  WEBHOOK_RETRY_SCHEDULE: number[];
  /** Each delay is moved at random by up to this fraction either way. */
  WEBHOOK_RETRY_JITTER: number;
  /** Longest wait a `Retry-After` header can ask for; longer asks are capped. */
  WEBHOOK_RETRY_AFTER_MAX_SECONDS: number;
  /** Limit for one attempt: connect, send, read the answer. */
  WEBHOOK_REQUEST_TIMEOUT_MS: number;
  /** How long a claimed attempt is held; a worker that dies mid-attempt loses it after this. */
  WEBHOOK_LEASE_SECONDS: number;
  WEBHOOK_POLL_INTERVAL_MS: number;
  /** Attempts one instance runs at once, across all endpoints. */
  WEBHOOK_CONCURRENCY: number;
  /** Attempts in flight to one endpoint at once, across all instances. */
  WEBHOOK_ENDPOINT_CONCURRENCY: number;
  /** Consecutive failures that open an endpoint's circuit. */
  WEBHOOK_BREAKER_FAILURES: number;
  /** Share of failed attempts within the window that opens the circuit (with enough attempts). */
  WEBHOOK_BREAKER_FAILURE_RATE: number;
  WEBHOOK_BREAKER_WINDOW_SECONDS: number;
  WEBHOOK_BREAKER_MIN_ATTEMPTS: number;
  /** How long an open circuit waits before one probe attempt. */
  WEBHOOK_BREAKER_COOLDOWN_SECONDS: number;
  /** An endpoint that fails without a single success for this long is disabled. */
  WEBHOOK_DISABLE_AFTER_SECONDS: number;
}

export type WebhookDeliveryConfig = ServiceConfig<WebhookDeliveryOwnConfig>;

/** Immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h after each failure. */
const DEFAULT_RETRY_SCHEDULE = '0,5s,5m,30m,2h,5h,10h,10h';

/**
 * Only for development and tests: production must bring its own key (the schema requires it
 * when NODE_ENV is `production`). Secrets encrypted with it are as good as plain text.
 */
export const DEVELOPMENT_SECRETS_KEY = Buffer.alloc(32, 'conveyor-development-only-key').toString('base64');

const base64Key = Joi.string()
  .base64()
  .custom((value: string, helpers) => (Buffer.from(value, 'base64').length === 32 ? value : helpers.error('any.invalid')))
  .messages({ 'any.invalid': '{{#label}} must be the base64 of exactly 32 bytes' });

const retrySchedule = Joi.any().custom((value: unknown, helpers) => {
  if (Array.isArray(value)) return value;
  const parsed = typeof value === 'string' ? parseRetrySchedule(value) : undefined;
  return parsed ?? helpers.error('any.invalid');
}).messages({ 'any.invalid': '{{#label}} must list 1 to 50 delays such as 0,5s,5m,2h (units ms, s, m, h)' });

export const webhookDeliveryEnvSchema = serviceEnvSchema<WebhookDeliveryOwnConfig>(
  { port: 3004, databaseUrl: 'postgres://conveyor_webhooks@127.0.0.1:5432/conveyor' },
  {
    WEBHOOK_SECRETS_KEY: base64Key.when('NODE_ENV', {
      is: 'production',
      then: Joi.required(),
      otherwise: Joi.optional().default(DEVELOPMENT_SECRETS_KEY),
    }),
    WEBHOOKS_ALLOW_HTTP: Joi.boolean().default(false),
    WEBHOOKS_ALLOW_LOOPBACK: Joi.boolean().default(false),
    // Joi does not run custom rules on a default, so the default is given parsed.
    WEBHOOK_RETRY_SCHEDULE: retrySchedule.default(() => parseRetrySchedule(DEFAULT_RETRY_SCHEDULE)),
    WEBHOOK_RETRY_JITTER: Joi.number().min(0).max(0.5).default(0.2),
    WEBHOOK_RETRY_AFTER_MAX_SECONDS: Joi.number().min(0).max(86_400).default(3_600),
    WEBHOOK_REQUEST_TIMEOUT_MS: Joi.number().integer().min(100).max(120_000).default(15_000),
    WEBHOOK_LEASE_SECONDS: Joi.number().min(1).max(3_600).default(60),
    WEBHOOK_POLL_INTERVAL_MS: Joi.number().integer().min(10).max(60_000).default(1_000),
    WEBHOOK_CONCURRENCY: Joi.number().integer().min(1).max(1_000).default(64),
    WEBHOOK_ENDPOINT_CONCURRENCY: Joi.number().integer().min(1).max(100).default(4),
    WEBHOOK_BREAKER_FAILURES: Joi.number().integer().min(1).max(1_000).default(10),
    WEBHOOK_BREAKER_FAILURE_RATE: Joi.number().min(0.01).max(1).default(0.7),
    WEBHOOK_BREAKER_WINDOW_SECONDS: Joi.number().min(1).max(86_400).default(300),
    WEBHOOK_BREAKER_MIN_ATTEMPTS: Joi.number().integer().min(1).max(10_000).default(20),
    WEBHOOK_BREAKER_COOLDOWN_SECONDS: Joi.number().min(0.1).max(86_400).default(60),
    WEBHOOK_DISABLE_AFTER_SECONDS: Joi.number().min(1).max(90 * 86_400).default(5 * 86_400),
  },
);
