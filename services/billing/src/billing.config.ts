import Joi from 'joi';
import { serviceEnvSchema, type ServiceConfig } from '@conveyor/config';

/** Billing's own variables: how top-ups are charged and retried. */
export interface BillingEnv {
  /** Which payment provider charges top-ups; only the built-in simulation exists today. */
  PAYMENT_PROVIDER: 'simulated';
  PAYMENT_SIMULATED_LATENCY_MS: number;
  /** Probability (0–1) that a simulated charge fails transiently. */
  PAYMENT_SIMULATED_FAILURE_RATE: number;
  /** Probability (0–1) that a simulated charge is declined for good. */
  PAYMENT_SIMULATED_DECLINE_RATE: number;
  /** The first N calls for each payment fail transiently, whatever the rates say (tests). */
  PAYMENT_SIMULATED_FAIL_FIRST: number;
  /** Calls to the provider per payment before it is given up. */
  PAYMENT_MAX_ATTEMPTS: number;
  PAYMENT_RETRY_BASE_MS: number;
  PAYMENT_RETRY_MAX_MS: number;
  /** A provider call that takes longer is aborted and counts as a transient failure. */
  PAYMENT_ATTEMPT_TIMEOUT_MS: number;
  PAYMENT_POLL_INTERVAL_MS: number;
  PAYMENT_BATCH_SIZE: number;
}

export type BillingConfig = ServiceConfig<BillingEnv>;

const rate = () => Joi.number().min(0).max(1);

export const billingEnvSchema = serviceEnvSchema<BillingEnv>(
  { port: 3003, databaseUrl: 'postgres://conveyor_billing@127.0.0.1:5432/conveyor' },
  {
    PAYMENT_PROVIDER: Joi.string().valid('simulated').default('simulated'),
    PAYMENT_SIMULATED_LATENCY_MS: Joi.number().integer().min(0).max(60_000).default(300),
    PAYMENT_SIMULATED_FAILURE_RATE: rate().default(0.1),
    PAYMENT_SIMULATED_DECLINE_RATE: rate().default(0),
    PAYMENT_SIMULATED_FAIL_FIRST: Joi.number().integer().min(0).max(1_000).default(0),
    PAYMENT_MAX_ATTEMPTS: Joi.number().integer().min(1).max(50).default(5),
    PAYMENT_RETRY_BASE_MS: Joi.number().integer().min(1).max(600_000).default(1_000),
    PAYMENT_RETRY_MAX_MS: Joi.number().integer().min(1).max(3_600_000).default(60_000),
    PAYMENT_ATTEMPT_TIMEOUT_MS: Joi.number().integer().min(100).max(120_000).default(10_000),
    PAYMENT_POLL_INTERVAL_MS: Joi.number().integer().min(10).max(60_000).default(1_000),
    PAYMENT_BATCH_SIZE: Joi.number().integer().min(1).max(100).default(10),
  },
);
