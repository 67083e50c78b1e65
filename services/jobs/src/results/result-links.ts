import { createHmac, timingSafeEqual } from 'node:crypto';

export interface SignedLink {
  url: string;
  expiresAt: string;
}

export type LinkVerdict = 'valid' | 'invalid' | 'expired';

const EXPIRES = /^\d{1,12}$/;
const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;

/** The owner's download route (API key or access token). */
export const resultUrl = (jobId: string) => `/v1/jobs/${jobId}/result`;

/**
 * Download links that work without credentials, like presigned URLs: the path names the job,
 * the query carries the expiry (Unix seconds) and an HMAC-SHA256 of both under a server key.
 * Anyone holding the link can download the result until it expires; nobody can make a link
 * for another job or a later expiry without the key.
 *
 * Expiries are rounded up to a step (a twelfth of the lifetime), so the links handed out within
 * one step are the same link: a job's representation stays stable for caches and ETags, and
 * each link still lives at least `ttlSeconds`.
 */
export class ResultLinks {
  private readonly stepSeconds: number;

  constructor(
    private readonly key: string,
    private readonly ttlSeconds: number,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.stepSeconds = Math.max(1, Math.floor(ttlSeconds / 12));
  }

  signed(jobId: string): SignedLink {
    const earliest = Math.floor(this.now().getTime() / 1000) + this.ttlSeconds;
    const expires = Math.ceil(earliest / this.stepSeconds) * this.stepSeconds;
    const query = new URLSearchParams({ expires: String(expires), signature: this.sign(jobId, expires) });
    return { url: `/v1/results/${jobId}?${query}`, expiresAt: new Date(expires * 1000).toISOString() };
  }

  /** The signature is checked before the expiry, so a forged link never learns whether it expired. */
  verify(jobId: string, expires: unknown, signature: unknown): LinkVerdict {
    if (typeof expires !== 'string' || typeof signature !== 'string') return 'invalid';
    if (!EXPIRES.test(expires) || !SIGNATURE.test(signature)) return 'invalid';
    const expected = Buffer.from(this.sign(jobId, Number(expires)));
    if (!timingSafeEqual(expected, Buffer.from(signature))) return 'invalid';
    return Number(expires) * 1000 > this.now().getTime() ? 'valid' : 'expired';
  }

  private sign(jobId: string, expires: number): string {
    return createHmac('sha256', this.key).update(`result:v1:${jobId.toLowerCase()}:${expires}`).digest('base64url');
  }
}
