import { jsonEnv, serviceEnvSchema, type ServiceConfig } from '@conveyor/config';
import Joi from 'joi';
import { randomBytes } from 'node:crypto';
import { vendorsEnvSchema, type Vendors } from './vendors/vendor-config';

interface JobsOwnConfig {
  /** Accept `http://` webhook URLs (development only); https is always accepted. */
  JOBS_ALLOW_HTTP_WEBHOOKS: boolean;
  /** Accept webhook URLs that resolve to loopback (tests only); private ranges stay refused. */
  JOBS_ALLOW_LOOPBACK_WEBHOOKS: boolean;
  /** How long an Idempotency-Key and its stored response are kept. */
  IDEMPOTENCY_TTL_HOURS: number;
  /** How often workers scan for queued jobs: the fallback for work tokens, and how ended retry delays are found. */
  WORKER_POLL_INTERVAL_MS: number;
  /** Jobs one worker process runs at the same time (across all clients). */
  WORKER_CONCURRENCY: number;
  /**
   * How long a claim, and each renewal of it, holds a running job. A job whose lease runs out
   * (its worker died or stopped renewing) is taken back by any worker's poll.
   */
  JOB_LEASE_SECONDS: number;
  /** A job billing has not answered for after this long is rejected (`billing_timeout`). */
  PENDING_JOB_TIMEOUT_SECONDS: number;
  /**
   * What this process does: `api` serves the HTTP API, `worker` runs jobs, `all` both. Every
   * role consumes the service's events, and any number of processes of each role can run.
   */
  JOBS_ROLE: JobsRole;
  /** Run time limits by job type in ms, over each processor's own (JSON, e.g. `{"echo":5000}`). */
  JOB_TIMEOUTS_MS: Record<string, number>;
  /** Wait before the first retry of a transient failure; doubled for each later one. */
  JOB_RETRY_BASE_DELAY_MS: number;
  /** Longest wait between two runs of a job that fails transiently (before ±20 % jitter). */
  JOB_RETRY_MAX_DELAY_MS: number;
  /** How long job status changes are kept for live streams to resume from (Last-Event-ID). */
  JOB_STATUS_LOG_RETENTION_HOURS: number;
  /** Let image URLs reach loopback (tests only); redirects and private ranges stay refused. */
  JOBS_ALLOW_LOOPBACK_FETCH: boolean;
  /** Largest image fetched or uploaded, in bytes. */
  IMAGE_MAX_BYTES: number;
  /** Largest image (width × height) decoded or produced; bigger ones are refused unread. */
  IMAGE_MAX_PIXELS: number;
  /** Largest transformed image, in bytes. */
  IMAGE_MAX_OUTPUT_BYTES: number;
  /** Limit for fetching an image, redirects included. */
  IMAGE_FETCH_TIMEOUT_MS: number;
  /** HMAC key of signed result links. Required in production; elsewhere a random key per process. */
  RESULT_URL_SIGNING_KEY: string;
  /** How long a signed result link works (at least). */
  RESULT_URL_TTL_SECONDS: number;
  /** The vendors `vendor.call` jobs may call (JSON, see docs/vendor-jobs.md); secrets inside. */
  JOBS_VENDORS: Vendors;
  /** Accept vendor base URLs on loopback, and plain http for them (tests only). */
  JOBS_ALLOW_LOOPBACK_VENDORS: boolean;
  /** Where the `/mcp` tools read the caller's balance and webhook log (billing, webhook-delivery). */
  MCP_BILLING_URL: string;
  MCP_WEBHOOKS_URL: string;
}

export const JOBS_ROLES = ['all', 'api', 'worker'] as const;
export type JobsRole = (typeof JOBS_ROLES)[number];

/** The lease a worker takes when it is not told otherwise (see JOB_LEASE_SECONDS). */
export const DEFAULT_JOB_LEASE_SECONDS = 30;

export type JobsConfig = ServiceConfig<JobsOwnConfig>;

export const jobsEnvSchema = serviceEnvSchema<JobsOwnConfig>(
  { port: 3000, databaseUrl: 'postgres://conveyor_jobs@127.0.0.1:5432/conveyor' },
  {
    JOBS_ALLOW_HTTP_WEBHOOKS: Joi.boolean().default(false),
    JOBS_ALLOW_LOOPBACK_WEBHOOKS: Joi.boolean().default(false),
    IDEMPOTENCY_TTL_HOURS: Joi.number().min(1).max(24 * 7).default(24),
    WORKER_POLL_INTERVAL_MS: Joi.number().integer().min(10).max(60_000).default(500),
    WORKER_CONCURRENCY: Joi.number().integer().min(1).max(256).default(8),
    JOB_LEASE_SECONDS: Joi.number().integer().min(5).max(3600).default(DEFAULT_JOB_LEASE_SECONDS),
    PENDING_JOB_TIMEOUT_SECONDS: Joi.number().integer().min(2).max(86_400).default(300),
    JOBS_ROLE: Joi.string()
      .valid(...JOBS_ROLES)
      .default('all'),
    JOB_TIMEOUTS_MS: jsonEnv(
      Joi.object().pattern(Joi.string().min(1).max(64), Joi.number().integer().min(10).max(24 * 3_600_000)),
    ).default({}),
    JOB_RETRY_BASE_DELAY_MS: Joi.number().integer().min(0).max(3_600_000).default(1_000),
    JOB_RETRY_MAX_DELAY_MS: Joi.number().integer().min(0).max(86_400_000).default(300_000),
    JOB_STATUS_LOG_RETENTION_HOURS: Joi.number().min(1).max(24 * 90).default(72),
    JOBS_ALLOW_LOOPBACK_FETCH: Joi.boolean().default(false),
    IMAGE_MAX_BYTES: Joi.number().integer().min(1024).max(100 * 1024 * 1024).default(20 * 1024 * 1024),
    IMAGE_MAX_PIXELS: Joi.number().integer().min(1).max(268_402_689).default(50_000_000),
    IMAGE_MAX_OUTPUT_BYTES: Joi.number().integer().min(1024).max(100 * 1024 * 1024).default(20 * 1024 * 1024),
    IMAGE_FETCH_TIMEOUT_MS: Joi.number().integer().min(100).max(300_000).default(15_000),
    // A random key outside production: links then last only as long as the process.
    RESULT_URL_SIGNING_KEY: Joi.string()
      .min(32)
      .when('NODE_ENV', {
        is: 'production',
        then: Joi.required(),
        otherwise: Joi.optional().default(() => randomBytes(32).toString('base64url')),
      }),
    RESULT_URL_TTL_SECONDS: Joi.number().integer().min(60).max(7 * 24 * 3600).default(3600),
    JOBS_VENDORS: vendorsEnvSchema,
    JOBS_ALLOW_LOOPBACK_VENDORS: Joi.boolean().default(false),
    MCP_BILLING_URL: Joi.string().uri({ scheme: ['http', 'https'] }).default('http://127.0.0.1:3003'),
    MCP_WEBHOOKS_URL: Joi.string().uri({ scheme: ['http', 'https'] }).default('http://127.0.0.1:3004'),
  },
);
