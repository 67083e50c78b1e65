import Joi from 'joi';

/** The variables every service reads, with the defaults that work on a developer machine. */
export interface CommonConfig {
  NODE_ENV: 'development' | 'test' | 'production';
  HTTP_HOST: string;
  DATABASE_URL: string;
  AMQP_URL: string;
  /** Prefix for exchange and queue names; lets tests and tenants of one broker stay apart. */
  AMQP_NAMESPACE: string;
  /** Redeliveries of a failing message before it is dead-lettered. */
  AMQP_DELIVERY_LIMIT: number;
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Where auth publishes its public signing keys; every service verifies access tokens with them. */
  AUTH_JWKS_URL: string;
  /** How long a fetched key set is trusted before it is fetched again. */
  AUTH_JWKS_CACHE_SECONDS: number;
  /** Least time between two fetches caused by tokens with an unknown `kid` (a flood cannot hammer auth). */
  AUTH_JWKS_REFETCH_INTERVAL_MS: number;
  /**
   * Which proxies' `X-Forwarded-For` to believe for the client IP (Express `trust proxy`):
   * `false` (the socket's address), `true`, a hop count, or addresses/subnets such as `loopback`.
   */
  HTTP_TRUST_PROXY: boolean | number | string;
  /** Requests per window on a service's public API, per API key, user or IP (0: no limit). */
  RATE_LIMIT_REQUESTS: number;
  RATE_LIMIT_WINDOW_SECONDS: number;
  OUTBOX_POLL_INTERVAL_MS: number;
  OUTBOX_RETENTION_HOURS: number;
  /** Failed publishes of one event before the relay abandons it (it stays, with its error). */
  OUTBOX_MAX_ATTEMPTS: number;
  SHUTDOWN_TIMEOUT_MS: number;
}

export const commonEnvSchema = {
  NODE_ENV: Joi.string().valid('development', 'test', 'production').default('development'),
  HTTP_HOST: Joi.string().hostname().default('0.0.0.0'),
  AMQP_URL: Joi.string()
    .uri({ scheme: ['amqp', 'amqps'] })
    .default('amqp://guest:guest@127.0.0.1:5672'),
  AMQP_NAMESPACE: Joi.string()
    .pattern(/^[a-z0-9][a-z0-9.-]*$/)
    .allow('')
    .default(''),
  AMQP_DELIVERY_LIMIT: Joi.number().integer().min(1).max(100).default(5),
  LOG_LEVEL: Joi.string().valid('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent').default('info'),
  AUTH_JWKS_URL: Joi.string()
    .uri({ scheme: ['http', 'https'] })
    .default('http://127.0.0.1:3001/.well-known/jwks.json'),
  AUTH_JWKS_CACHE_SECONDS: Joi.number().integer().min(1).max(86_400).default(300),
  AUTH_JWKS_REFETCH_INTERVAL_MS: Joi.number().integer().min(0).max(600_000).default(10_000),
  HTTP_TRUST_PROXY: Joi.alternatives(Joi.boolean(), Joi.number().integer().min(0), Joi.string().max(500)).default(false),
  RATE_LIMIT_REQUESTS: Joi.number().integer().min(0).max(1_000_000).default(600),
  RATE_LIMIT_WINDOW_SECONDS: Joi.number().integer().min(1).max(3_600).default(60),
  OUTBOX_POLL_INTERVAL_MS: Joi.number().integer().min(10).max(60_000).default(1_000),
  OUTBOX_RETENTION_HOURS: Joi.number().min(0).max(24 * 90).default(72),
  OUTBOX_MAX_ATTEMPTS: Joi.number().integer().min(1).max(1000).default(20),
  SHUTDOWN_TIMEOUT_MS: Joi.number().integer().min(100).max(120_000).default(10_000),
} as const;

/**
 * Builds a service's schema from the common variables plus its own. `port` is the service's
 * default HTTP port and `database` the default connection string of its own role.
 */
export function serviceEnvSchema<T extends object>(
  defaults: { port: number; databaseUrl: string },
  own: Joi.PartialSchemaMap<T> = {},
): Joi.ObjectSchema<CommonConfig & { HTTP_PORT: number } & T> {
  return Joi.object({
    ...commonEnvSchema,
    HTTP_PORT: Joi.number().port().default(defaults.port),
    DATABASE_URL: Joi.string()
      .uri({ scheme: ['postgres', 'postgresql'] })
      .default(defaults.databaseUrl),
    ...own,
  });
}

export type ServiceConfig<T extends object = object> = CommonConfig & { HTTP_PORT: number } & T;
