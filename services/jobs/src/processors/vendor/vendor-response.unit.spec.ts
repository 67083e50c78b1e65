import { OutboundRequestError } from '@conveyor/ssrf-guard';
import { PermanentJobError, TransientJobError } from '../processor.errors';
import { outboundFailure, safeReason, vendorReplyOutcome } from './vendor-response';

const reply = (status: number, body: unknown = '') => ({
  status,
  body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
});

describe("what a vendor's reply means for the job", () => {
  it("makes a sync vendor's JSON answer the result, and an empty one null", () => {
    expect(vendorReplyOutcome('sync', reply(200, { total: 3 }))).toEqual({ kind: 'result', result: { total: 3 } });
    expect(vendorReplyOutcome('sync', reply(204))).toEqual({ kind: 'result', result: null });
  });

  it('takes any 2xx from an async vendor as its acknowledgement, whatever the body', () => {
    expect(vendorReplyOutcome('async', reply(202, 'queued, thanks'))).toEqual({ kind: 'acknowledged' });
  });

  it('fails for good on a sync answer that is not JSON, and on a redirect', () => {
    expect(() => vendorReplyOutcome('sync', reply(200, '<html>'))).toThrow(PermanentJobError);
    expect(() => vendorReplyOutcome('sync', reply(301))).toThrow(expect.objectContaining({ code: 'JOBS.VENDOR_BAD_RESPONSE' }));
  });

  it.each([500, 502, 503, 429, 408])('retries after HTTP %i', (status) => {
    expect(() => vendorReplyOutcome('sync', reply(status))).toThrow(TransientJobError);
    expect(() => vendorReplyOutcome('async', reply(status))).toThrow(expect.objectContaining({ code: 'JOBS.VENDOR_UNAVAILABLE' }));
  });

  it("fails for good on any other 4xx, with the status and the vendor's short reason", () => {
    const refusal = () => vendorReplyOutcome('sync', reply(400, { message: 'amount\nmust be positive' }));
    expect(refusal).toThrow(PermanentJobError);
    expect(refusal).toThrow(expect.objectContaining({ code: 'JOBS.VENDOR_REJECTED', message: 'The vendor refused the request (HTTP 400): amount must be positive' }));
    expect(() => vendorReplyOutcome('sync', reply(404, 'Not Found'))).toThrow('The vendor refused the request (HTTP 404).');
  });

  it('cuts a long reason and ignores bodies without one', () => {
    expect(safeReason(Buffer.from(JSON.stringify({ detail: 'x'.repeat(500) })))?.length).toBe(200);
    expect(safeReason(Buffer.from(JSON.stringify({ error: { nested: true } })))).toBeUndefined();
    expect(safeReason(Buffer.from('[1, 2]'))).toBeUndefined();
  });

  it('retries timeouts and network failures; refuses blocked addresses and oversized answers for good', () => {
    expect(outboundFailure(new OutboundRequestError('TIMEOUT', 'slow'))).toMatchObject({ code: 'JOBS.VENDOR_TIMEOUT' });
    expect(outboundFailure(new OutboundRequestError('NETWORK', 'reset'))).toBeInstanceOf(TransientJobError);
    expect(outboundFailure(new OutboundRequestError('ADDRESS_BLOCKED', 'private', '10.0.0.1 is private'))).toMatchObject({
      code: 'JOBS.VENDOR_URL_REFUSED',
      message: expect.not.stringContaining('10.0.0.1'),
    });
    expect(outboundFailure(new OutboundRequestError('TOO_LARGE', 'big'))).toBeInstanceOf(PermanentJobError);
  });
});
