import { redactUrl } from './redact-url';

describe('redactUrl', () => {
  it('hides the values of credential query parameters and keeps the rest of the URL', () => {
    expect(redactUrl('/v1/results/abc?expires=1767261600&signature=Wel4kA4nmMxu69F')).toBe('/v1/results/abc?expires=1767261600&signature=[redacted]');
    expect(redactUrl('/x?Token=t0k3n&a=1&%73ignature=s1g')).toBe('/x?Token=[redacted]&a=1&%73ignature=[redacted]');
  });

  it('leaves URLs without credentials alone', () => {
    expect(redactUrl('/v1/jobs?status=queued&limit=5')).toBe('/v1/jobs?status=queued&limit=5');
    expect(redactUrl('/v1/jobs')).toBe('/v1/jobs');
  });
});
