import Joi from 'joi';
import { serviceEnvSchema, type ServiceConfig } from '@conveyor/config';

export type AuthConfig = ServiceConfig<{ BCRYPT_ROUNDS: number; ACCESS_TOKEN_TTL_SECONDS: number }>;

export const authEnvSchema = serviceEnvSchema<{ BCRYPT_ROUNDS: number; ACCESS_TOKEN_TTL_SECONDS: number }>(
  { port: 3001, databaseUrl: 'postgres://conveyor_auth@127.0.0.1:5432/conveyor' },
  {
    // 12 rounds ≈ 0.25 s per hash on our machines; tests lower it to keep suites fast.
    BCRYPT_ROUNDS: Joi.number().integer().min(4).max(15).default(12),
    ACCESS_TOKEN_TTL_SECONDS: Joi.number().integer().min(60).max(86_400).default(900),
  },
);
