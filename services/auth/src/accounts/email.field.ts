import { normaliseEmail } from '@conveyor/contracts';
import Joi from 'joi';

/** An email field, stored and compared in the platform's one normalised spelling. */
export const emailField = Joi.string()
  .trim()
  .max(254)
  .email({ tlds: false })
  .custom((value: string) => normaliseEmail(value));
