import { createHmac, timingSafeEqual } from 'node:crypto';

export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
}

/** What Conveyor sends as a webhook body. */
export interface WebhookPayload<Data = Record<string, unknown>> {
  type: string;
  timestamp: string;
  data: Data;
}

export interface VerifiedWebhook<Data = Record<string, unknown>> extends WebhookPayload<Data> {
  /** `webhook-id`: the same on every retry and replay, so a receiver can drop duplicates. */
  webhookId: string;
}

type HeaderBag = Headers | Record<string, string | string[] | undefined>;

/**
 * Checks a Standard Webhooks request as webhook-delivery signs it: HMAC-SHA256 of
 * `<webhook-id>.<webhook-timestamp>.<raw body>` under the bytes of the `whsec_` secret, any of
 * the space-separated `v1,` signatures may match (a rotation sends two), and the timestamp must
 * be within `toleranceSeconds` of now, so a captured request cannot be replayed later.
 */
export class WebhookVerifier {
  private readonly keys: Buffer[];

  /** One secret, or several while a rotation is in progress (any of them may sign). */
  constructor(secrets: string | string[], private readonly toleranceSeconds = 300) {
    this.keys = (Array.isArray(secrets) ? secrets : [secrets]).map(decodeSecret);
  }

  verify<Data = Record<string, unknown>>(body: string | Uint8Array, headers: HeaderBag, now = Date.now()): VerifiedWebhook<Data> {
    const id = header(headers, 'webhook-id');
    const timestamp = header(headers, 'webhook-timestamp');
    const signatures = header(headers, 'webhook-signature');
    if (!id || !timestamp || !signatures) throw new WebhookVerificationError('missing webhook-id, webhook-timestamp or webhook-signature');
    if (!/^\d+$/.test(timestamp)) throw new WebhookVerificationError('webhook-timestamp is not a number of seconds');
    if (Math.abs(now / 1000 - Number(timestamp)) > this.toleranceSeconds) throw new WebhookVerificationError('webhook-timestamp is too far from now');

    const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
    const signed = `${id}.${timestamp}.${text}`;
    const expected = this.keys.map((key) => createHmac('sha256', key).update(signed).digest());
    const matches = signatures.split(' ').some((entry) => {
      const [version, value] = entry.split(',', 2);
      if (version !== 'v1' || !value) return false;
      const given = Buffer.from(value, 'base64');
      return expected.some((digest) => digest.length === given.length && timingSafeEqual(digest, given));
    });
    if (!matches) throw new WebhookVerificationError('no signature matches');

    let payload: WebhookPayload<Data>;
    try {
      payload = JSON.parse(text) as WebhookPayload<Data>;
    } catch {
      throw new WebhookVerificationError('the body is not JSON');
    }
    return { ...payload, webhookId: id };
  }

  /** Signs a body as webhook-delivery does: for tests of receivers. */
  sign(id: string, timestampSeconds: number, body: string): string {
    return this.keys.map((key) => `v1,${createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`).join(' ');
  }
}

/** One-off check; see WebhookVerifier. */
export function verifyWebhook<Data = Record<string, unknown>>(
  secret: string | string[],
  body: string | Uint8Array,
  headers: HeaderBag,
  options: { toleranceSeconds?: number; now?: number } = {},
): VerifiedWebhook<Data> {
  return new WebhookVerifier(secret, options.toleranceSeconds).verify<Data>(body, headers, options.now);
}

function decodeSecret(secret: string): Buffer {
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
  if (key.length === 0) throw new WebhookVerificationError('the secret is empty');
  return key;
}

function header(headers: HeaderBag, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name] ?? Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
  return Array.isArray(value) ? value[0] : value;
}
