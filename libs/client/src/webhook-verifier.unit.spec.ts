import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { verifyWebhook, WebhookVerificationError, WebhookVerifier } from './webhook-verifier';

describe('WebhookVerifier (cross-checked against the standardwebhooks library)', () => {
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const body = JSON.stringify({ type: 'jobs.job.succeeded.v1', timestamp: '2026-01-01T00:00:00.000Z', data: { jobId: 'j1' } });
  const id = 'msg_0123456789abcdef0123456789abcdef';

  it('accepts what standardwebhooks signs', () => {
    // given a request signed by the reference library
    const now = new Date();
    const headers = { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(now.getTime() / 1000)), 'webhook-signature': new Webhook(secret).sign(id, now, body) };
    // when it is verified, then the payload comes back with the webhook id
    expect(verifyWebhook(secret, body, headers)).toMatchObject({ type: 'jobs.job.succeeded.v1', data: { jobId: 'j1' }, webhookId: id });
  });

  it('signs what standardwebhooks accepts', () => {
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = new WebhookVerifier(secret).sign(id, timestamp, body);
    expect(new Webhook(secret).verify(body, { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature })).toMatchObject({
      type: 'jobs.job.succeeded.v1',
    });
  });

  it('accepts any of two signatures during a rotation, and the Headers type', () => {
    const old = `whsec_${randomBytes(24).toString('base64')}`;
    const timestamp = Math.floor(Date.now() / 1000);
    const both = `${new WebhookVerifier(secret).sign(id, timestamp, body)} ${new WebhookVerifier(old).sign(id, timestamp, body)}`;
    const headers = new Headers({ 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': both });
    expect(new WebhookVerifier(old).verify(body, headers).webhookId).toBe(id);
  });

  it('refuses an altered body, another secret, a stale timestamp and missing headers', () => {
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = new WebhookVerifier(secret).sign(id, timestamp, body);
    const headers = { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature };
    const other = `whsec_${randomBytes(24).toString('base64')}`;

    expect(() => verifyWebhook(secret, body.replace('j1', 'j2'), headers)).toThrow(WebhookVerificationError);
    expect(() => verifyWebhook(other, body, headers)).toThrow(WebhookVerificationError);
    expect(() => verifyWebhook(secret, body, headers, { now: (timestamp + 301) * 1000 })).toThrow(/too far/);
    expect(() => verifyWebhook(secret, body, { 'webhook-id': id })).toThrow(/missing/);
    // the reference library refuses the same tampering
    expect(() => new Webhook(secret).verify(body.replace('j1', 'j2'), headers)).toThrow();
  });
});
