import { createHmac, randomBytes } from 'node:crypto';

/** Signing secrets are shown to clients as `whsec_` + base64 of the key bytes (Standard Webhooks). */
const SECRET_PREFIX = 'whsec_';
const SECRET_BYTES = 32;

export function generateSigningSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64');
}

function keyOf(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error('A signing secret starts with whsec_');
  return Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
}

export interface SignedContent {
  /** The `webhook-id`: the same for every attempt of one message. */
  id: string;
  /** Seconds since the epoch, sent as `webhook-timestamp`; new for each attempt. */
  timestamp: number;
  /** The exact bytes sent as the request body. */
  body: string;
}

/**
 * One `v1,` signature per secret, separated by spaces, as the Standard Webhooks spec puts
 * several in one `webhook-signature` header (used while a rotated secret's grace lasts). Each
 * is the base64 HMAC-SHA256, keyed by the secret's bytes, of `id.timestamp.body`.
 */
export function signatureHeader(secrets: readonly string[], { id, timestamp, body }: SignedContent): string {
  const content = `${id}.${timestamp}.${body}`;
  return secrets.map((secret) => `v1,${createHmac('sha256', keyOf(secret)).update(content, 'utf8').digest('base64')}`).join(' ');
}

/** The three Standard Webhooks headers for one attempt, plus the content type. */
export function webhookHeaders(secrets: readonly string[], content: SignedContent): Record<string, string> {
  return {
    'content-type': 'application/json',
    'webhook-id': content.id,
    'webhook-timestamp': String(content.timestamp),
    'webhook-signature': signatureHeader(secrets, content),
  };
}
