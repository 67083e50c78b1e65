import { loadConfig } from '@conveyor/config';
import Joi from 'joi';

/** The APIs the console forwards to, by the first path segment after `/api/`. */
export const UPSTREAM_NAMES = ['auth', 'users', 'billing', 'jobs', 'webhooks'] as const;
export type UpstreamName = (typeof UPSTREAM_NAMES)[number];

export interface ConsoleConfig {
  HTTP_HOST: string;
  HTTP_PORT: number;
  LOG_LEVEL: string;
  SHUTDOWN_TIMEOUT_MS: number;
  upstreams: Record<UpstreamName, string>;
}

const url = (port: number) => Joi.string().uri({ scheme: ['http', 'https'] }).default(`http://127.0.0.1:${port}`);

const schema = Joi.object({
  HTTP_HOST: Joi.string().hostname().default('0.0.0.0'),
  HTTP_PORT: Joi.number().port().default(3005),
  LOG_LEVEL: Joi.string().valid('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent').default('info'),
  SHUTDOWN_TIMEOUT_MS: Joi.number().integer().min(0).default(10_000),
  CONSOLE_AUTH_URL: url(3001),
  CONSOLE_USER_URL: url(3002),
  CONSOLE_BILLING_URL: url(3003),
  CONSOLE_JOBS_URL: url(3000),
  CONSOLE_WEBHOOKS_URL: url(3004),
});

/** Parses the environment once; every bad variable is named in one error. */
export function loadConsoleConfig(env: NodeJS.ProcessEnv = process.env): ConsoleConfig {
  const raw = loadConfig<Record<string, string | number>>(schema, env);
  return {
    HTTP_HOST: String(raw['HTTP_HOST']),
    HTTP_PORT: Number(raw['HTTP_PORT']),
    LOG_LEVEL: String(raw['LOG_LEVEL']),
    SHUTDOWN_TIMEOUT_MS: Number(raw['SHUTDOWN_TIMEOUT_MS']),
    upstreams: {
      auth: String(raw['CONSOLE_AUTH_URL']),
      users: String(raw['CONSOLE_USER_URL']),
      billing: String(raw['CONSOLE_BILLING_URL']),
      jobs: String(raw['CONSOLE_JOBS_URL']),
      webhooks: String(raw['CONSOLE_WEBHOOKS_URL']),
    },
  };
}
