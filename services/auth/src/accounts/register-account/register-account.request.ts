import Joi from 'joi';
import { emailField } from '../email.field';

export interface RegisterAccountRequest {
  email: string;
  password: string;
  name?: string;
}

/** bcrypt reads at most 72 bytes; a longer password would be silently truncated. */
const passwordField = Joi.string()
  .min(8)
  .max(72)
  .custom((value: string, helpers) =>
    Buffer.byteLength(value, 'utf8') > 72 ? helpers.message({ custom: 'password must be at most 72 bytes' }) : value,
  );

export const registerAccountRequest = Joi.object<RegisterAccountRequest>({
  email: emailField.required(),
  password: passwordField.required(),
  name: Joi.string().trim().min(1).max(200),
}).required();
