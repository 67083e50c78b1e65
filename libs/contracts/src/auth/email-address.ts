/**
 * The one spelling of an email address that every service stores and compares: trimmed, NFC,
 * and case-folded. Upper-casing before lower-casing folds letters whose lower case depends on
 * position (Greek final sigma) or that have no single-letter upper case (ß → ss), so every
 * spelling of one address ends up the same.
 */
export const normaliseEmail = (email: string) => email.trim().normalize('NFC').toUpperCase().toLowerCase();
