import Joi from 'joi';

/** bcrypt reads at most 72 bytes; a longer password would be silently truncated. */
export const passwordField = Joi.string()
  .min(8)
  .max(72)
  .custom((value: string, helpers) =>
    Buffer.byteLength(value, 'utf8') > 72 ? helpers.message({ custom: 'password must be at most 72 bytes' }) : value,
  );
