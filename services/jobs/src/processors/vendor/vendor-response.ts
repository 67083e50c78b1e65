import { OutboundRequestError } from '@conveyor/ssrf-guard';
import type { VendorMode } from '../../vendors/vendor-config';
import { PermanentJobError, TransientJobError } from '../processor.errors';

export interface VendorReply {
  status: number;
  body: Buffer;
}

/** A sync vendor's result, or the acknowledgement of an async one. */
export type VendorReplyOutcome = { kind: 'result'; result: unknown } | { kind: 'acknowledged' };

/**
 * What a vendor's reply means for the job. 2xx: the result (sync, which must then be JSON) or
 * the acknowledgement (async). 408, 429 and 5xx: the vendor may manage later, so the job is
 * retried. Any other 4xx: the vendor refused this request, and sending it again cannot help.
 * A 3xx is a vendor URL that moved, which the operator must fix: redirects are not followed.
 */
export function vendorReplyOutcome(mode: VendorMode, reply: VendorReply): VendorReplyOutcome {
  const { status } = reply;
  if (status >= 200 && status < 300) {
    if (mode === 'async') return { kind: 'acknowledged' };
    return { kind: 'result', result: parseResult(reply.body) };
  }
  if (status === 408 || status === 429 || status >= 500) {
    throw new TransientJobError('JOBS.VENDOR_UNAVAILABLE', `The vendor answered HTTP ${status}.`);
  }
  if (status >= 400) {
    const reason = safeReason(reply.body);
    throw new PermanentJobError('JOBS.VENDOR_REJECTED', `The vendor refused the request (HTTP ${status})${reason ? `: ${reason}` : '.'}`);
  }
  throw new PermanentJobError('JOBS.VENDOR_BAD_RESPONSE', `The vendor answered HTTP ${status}, which this service does not follow.`);
}

/** Why the request could not be made or answered, as a job error. */
export function outboundFailure(error: OutboundRequestError): PermanentJobError | TransientJobError {
  switch (error.code) {
    case 'TIMEOUT':
      return new TransientJobError('JOBS.VENDOR_TIMEOUT', 'The vendor did not answer in time.');
    case 'NETWORK':
      return new TransientJobError('JOBS.VENDOR_UNREACHABLE', 'The vendor could not be reached.');
    case 'TOO_LARGE':
      return new PermanentJobError('JOBS.VENDOR_BAD_RESPONSE', 'The vendor answered with a body that is too large.');
    case 'URL_REFUSED':
    case 'ADDRESS_BLOCKED':
      return new PermanentJobError('JOBS.VENDOR_URL_REFUSED', 'The vendor address is refused by the outbound policy.');
    case 'ABORTED':
      return new TransientJobError('JOBS.VENDOR_UNREACHABLE', 'The request to the vendor was aborted.');
  }
}

function parseResult(body: Buffer): unknown {
  if (body.length === 0) return null;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new PermanentJobError('JOBS.VENDOR_BAD_RESPONSE', 'The vendor answered with a body that is not JSON.');
  }
}

const MAX_REASON_LENGTH = 200;

/**
 * A short reason from a refusal's JSON body (`detail`, `message`, or `error` as text), for the
 * client's job error: printable characters only and cut short, since the body is the vendor's
 * and may be anything. Nothing when there is no such field.
 */
export function safeReason(body: Buffer): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object') return undefined;
  const fields = parsed as Record<string, unknown>;
  const text = [fields['detail'], fields['message'], fields['error']].find((value) => typeof value === 'string');
  if (typeof text !== 'string') return undefined;
  const clean = text.replace(/[^\x20-\x7e\u00a0-\uffff]/g, ' ').replace(/\s+/g, ' ').trim();
  if (!clean) return undefined;
  return clean.length > MAX_REASON_LENGTH ? `${clean.slice(0, MAX_REASON_LENGTH - 1)}…` : clean;
}
