import Joi from 'joi';

/**
 * An environment variable that holds JSON, e.g. `JOB_TIMEOUTS_MS='{"echo":5000}'`: the text is
 * parsed, then checked (and converted) by `schema`. Environment values are always strings, and
 * joi does not parse JSON on its own.
 */
export function jsonEnv(schema: Joi.Schema): Joi.AnySchema {
  return Joi.any().custom((value: unknown, helpers) => {
    let parsed = value;
    if (typeof value === 'string') {
      try {
        parsed = JSON.parse(value);
      } catch {
        return helpers.message({ custom: '{{#label}} must be valid JSON' });
      }
    }
    const { value: checked, error } = schema.validate(parsed, { convert: true });
    if (error) return helpers.message({ custom: `{{#label}} ${error.message.replace(/^"value" ?/, '')}` });
    return checked as unknown;
  });
}
