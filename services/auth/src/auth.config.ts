import Joi from 'joi';
import { serviceEnvSchema, type ServiceConfig } from '@conveyor/config';
import { normaliseEmail } from '@conveyor/contracts';

interface AuthOwnConfig {
  BCRYPT_ROUNDS: number;
  ACCESS_TOKEN_TTL_SECONDS: number;
  REFRESH_TOKEN_TTL_SECONDS: number;
  /** base64 of 32 bytes: encrypts the private signing keys at rest. */
  SIGNING_KEY_ENCRYPTION_KEY: string;
  /** How long a new signing key is published before it signs (longer than the services' JWKS refetch interval). */
  SIGNING_KEY_ACTIVATION_SECONDS: number;
  /** Failed logins of one email before it is locked; the lock doubles with each further failure. */
  LOGIN_MAX_FAILURES: number;
  /** The same, per client IP (higher: many users may share an address). */
  LOGIN_MAX_FAILURES_PER_IP: number;
  LOGIN_LOCKOUT_SECONDS: number;
  LOGIN_LOCKOUT_MAX_SECONDS: number;
  /** A count is forgotten after this long without failures. */
  LOGIN_FAILURE_WINDOW_SECONDS: number;
  EMAIL_CONFIRMATION_TTL_SECONDS: number;
  PASSWORD_RESET_TTL_SECONDS: number;
  /** SMTP server for account mails; unset: mails go to the log (see LogMailSender). */
  SMTP_URL: string | undefined;
  MAIL_FROM: string;
  /** A signing key older than this is rotated by the running service (0: only by command). */
  SIGNING_KEY_MAX_AGE_SECONDS: number;
  /** How often each instance checks the age of the signing key. */
  SIGNING_KEY_CHECK_INTERVAL_MS: number;
  /** This account is made an administrator when it registers or logs in. */
  ADMIN_EMAIL: string | undefined;
}

export type AuthConfig = ServiceConfig<AuthOwnConfig>;

/** Only outside production: a fixed, public key-encryption key so a laptop needs no setup. */
const DEVELOPMENT_KEY_ENCRYPTION_KEY = Buffer.alloc(32, 'conveyor-development-only').toString('base64');

const keyEncryptionKey = Joi.string()
  .base64()
  .custom((value: string, helpers) => (Buffer.from(value, 'base64').length === 32 ? value : helpers.message({ custom: '{{#label}} must be 32 bytes, base64-encoded' })));

export const authEnvSchema = serviceEnvSchema<AuthOwnConfig>(
  { port: 3001, databaseUrl: 'postgres://conveyor_auth@127.0.0.1:5432/conveyor' },
  {
    // 12 rounds ≈ 0.25 s per hash on our machines; tests lower it to keep suites fast.
    BCRYPT_ROUNDS: Joi.number().integer().min(4).max(15).default(12),
    ACCESS_TOKEN_TTL_SECONDS: Joi.number().integer().min(60).max(86_400).default(900),
    REFRESH_TOKEN_TTL_SECONDS: Joi.number().integer().min(60).max(365 * 86_400).default(30 * 86_400),
    SIGNING_KEY_ENCRYPTION_KEY: Joi.when('NODE_ENV', {
      is: 'production',
      then: keyEncryptionKey.required(),
      otherwise: keyEncryptionKey.default(DEVELOPMENT_KEY_ENCRYPTION_KEY),
    }),
    SIGNING_KEY_ACTIVATION_SECONDS: Joi.number().integer().min(0).max(86_400).default(60),
    LOGIN_MAX_FAILURES: Joi.number().integer().min(1).max(1000).default(10),
    LOGIN_MAX_FAILURES_PER_IP: Joi.number().integer().min(1).max(100_000).default(100),
    LOGIN_LOCKOUT_SECONDS: Joi.number().min(0.1).max(86_400).default(30),
    LOGIN_LOCKOUT_MAX_SECONDS: Joi.number().min(1).max(7 * 86_400).default(3_600),
    LOGIN_FAILURE_WINDOW_SECONDS: Joi.number().integer().min(1).max(7 * 86_400).default(900),
    EMAIL_CONFIRMATION_TTL_SECONDS: Joi.number().integer().min(60).max(30 * 86_400).default(2 * 86_400),
    PASSWORD_RESET_TTL_SECONDS: Joi.number().integer().min(1).max(86_400).default(3_600),
    SMTP_URL: Joi.string().uri({ scheme: ['smtp', 'smtps'] }),
    MAIL_FROM: Joi.string().max(300).default('Conveyor <no-reply@conveyor.local>'),
    SIGNING_KEY_MAX_AGE_SECONDS: Joi.number().min(0).max(365 * 86_400).default(30 * 86_400),
    SIGNING_KEY_CHECK_INTERVAL_MS: Joi.number().integer().min(10).max(86_400_000).default(3_600_000),
    ADMIN_EMAIL: Joi.string()
      .trim()
      .email({ tlds: false })
      .custom((value: string) => normaliseEmail(value)),
  },
);
