import Joi from 'joi';

/** Emails are compared case-insensitively: we store them trimmed and lower-cased. */
export const normaliseEmail = (email: string) => email.trim().toLowerCase();

export const emailField = Joi.string().trim().lowercase().email({ tlds: false }).max(254);
