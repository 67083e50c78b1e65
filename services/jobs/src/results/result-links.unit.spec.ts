import { ResultLinks } from './result-links';

const KEY = 'k'.repeat(32);
const JOB = '3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a';

describe('signed result links', () => {
  const at = (iso: string) => () => new Date(iso);
  const queryOf = (url: string) => new URL(url, 'http://x').searchParams;

  it('names the job, expires no sooner than the lifetime, and verifies until it expires', () => {
    // given a link made at 10:00 with a one-hour lifetime
    const link = new ResultLinks(KEY, 3600, at('2026-01-01T10:00:00Z')).signed(JOB);
    const query = queryOf(link.url);
    expect(link.url.startsWith(`/v1/results/${JOB}?`)).toBe(true);
    expect(Date.parse(link.expiresAt)).toBeGreaterThanOrEqual(Date.parse('2026-01-01T11:00:00Z'));
    expect(Date.parse(link.expiresAt)).toBeLessThanOrEqual(Date.parse('2026-01-01T11:05:00Z'));

    // then it is valid just before its expiry, and expired at it
    const before = new ResultLinks(KEY, 3600, () => new Date(Date.parse(link.expiresAt) - 1000));
    const after = new ResultLinks(KEY, 3600, () => new Date(link.expiresAt));
    expect(before.verify(JOB, query.get('expires'), query.get('signature'))).toBe('valid');
    expect(after.verify(JOB, query.get('expires'), query.get('signature'))).toBe('expired');
  });

  it('hands out the same link within one step of the lifetime', () => {
    const first = new ResultLinks(KEY, 3600, at('2026-01-01T10:00:01Z')).signed(JOB);
    const second = new ResultLinks(KEY, 3600, at('2026-01-01T10:04:59Z')).signed(JOB);
    expect(second).toEqual(first);
  });

  it('refuses a link for another job, a later expiry, another key, or a malformed query', () => {
    const links = new ResultLinks(KEY, 3600, at('2026-01-01T10:00:00Z'));
    const query = queryOf(links.signed(JOB).url);
    const [expires, signature] = [query.get('expires') as string, query.get('signature') as string];

    expect(links.verify('00000000-0000-4000-8000-000000000000', expires, signature)).toBe('invalid');
    expect(links.verify(JOB, String(Number(expires) + 3600), signature)).toBe('invalid');
    expect(new ResultLinks('x'.repeat(32), 3600, at('2026-01-01T10:00:00Z')).verify(JOB, expires, signature)).toBe('invalid');
    expect(links.verify(JOB, expires, `${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`)).toBe('invalid');
    expect(links.verify(JOB, undefined, signature)).toBe('invalid');
    expect(links.verify(JOB, expires, ['a', 'b'])).toBe('invalid');
    expect(links.verify(JOB, '1e12', signature)).toBe('invalid');
  });
});
