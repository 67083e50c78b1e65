import Joi from 'joi';

/**
 * Emails are unique regardless of letter case. Upper-casing before lower-casing folds letters
 * whose lower case depends on position (Greek final sigma) or that have no single-letter
 * upper case (ß → ss), so every spelling of one address lands on the same stored value.
 */
export const normaliseEmail = (email: string) => email.trim().normalize('NFC').toUpperCase().toLowerCase();

export const emailField = Joi.string()
  .trim()
  .max(254)
  .email({ tlds: false })
  .custom((value: string) => normaliseEmail(value));
