import { createHmac, timingSafeEqual } from 'node:crypto';

/** Unix seconds at which the message was signed. */
export const TIMESTAMP_HEADER = 'conveyor-timestamp';
/** `v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`. */
export const SIGNATURE_HEADER = 'conveyor-signature';

/** A signed message older or further ahead than this is refused (clock skew plus transit). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

const VERSION = 'v1';

/** The signature headers for `body`, signed now with `secret`. */
export function signatureHeaders(secret: string, body: string | Buffer, nowMs = Date.now()): Record<string, string> {
  const timestamp = String(Math.floor(nowMs / 1000));
  return { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: `${VERSION}=${mac(secret, timestamp, body).toString('hex')}` };
}

export type SignatureCheck = { ok: true; signedAt: Date } | { ok: false; reason: string };

/**
 * Checks the signature headers of a received `body` (the exact bytes that arrived). The
 * comparison takes the same time wherever the first difference is, so a caller cannot find a
 * valid signature byte by byte. A timestamp outside the tolerance is refused even when the
 * signature matches: a captured message cannot be replayed later.
 */
export function verifySignature(
  secret: string,
  headers: { timestamp?: string; signature?: string },
  body: Buffer,
  nowMs = Date.now(),
): SignatureCheck {
  const { timestamp, signature } = headers;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'the timestamp header is missing or malformed' };
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > SIGNATURE_TOLERANCE_SECONDS) {
    return { ok: false, reason: 'the timestamp is outside the tolerance' };
  }
  const expected = mac(secret, timestamp, body);
  const offered = (signature ?? '')
    .split(/\s*,\s*/)
    .filter((part) => part.startsWith(`${VERSION}=`))
    .map((part) => Buffer.from(part.slice(VERSION.length + 1), 'hex'));
  // Buffer.from(…, 'hex') stops at the first bad digit, so a malformed value ends up too short.
  const matches = offered.some((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected));
  return matches ? { ok: true, signedAt: new Date(Number(timestamp) * 1000) } : { ok: false, reason: 'the signature does not match' };
}

function mac(secret: string, timestamp: string, body: string | Buffer): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
}
