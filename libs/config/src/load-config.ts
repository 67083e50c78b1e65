import type { ObjectSchema } from 'joi';

/** Thrown at start-up when the environment does not fit the service's schema. */
export class ConfigValidationError extends Error {
  readonly code = 'CONFIG.INVALID_ENVIRONMENT';

  constructor(readonly problems: readonly string[]) {
    super(`Invalid environment (${problems.length} problem(s)):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

/**
 * Parses the environment once against a joi schema. Every missing or invalid variable is
 * reported in a single error, so an operator fixes them all in one round trip. Unknown
 * variables are ignored: the process environment holds far more than any one service reads.
 */
export function loadConfig<T>(schema: ObjectSchema<T>, env: NodeJS.ProcessEnv = process.env): T {
  const { value, error } = schema.validate(env, {
    abortEarly: false,
    allowUnknown: true,
    stripUnknown: true,
    convert: true,
  });
  if (error) {
    throw new ConfigValidationError(error.details.map((d) => `${d.path.join('.')}: ${d.message}`));
  }
  return value;
}
