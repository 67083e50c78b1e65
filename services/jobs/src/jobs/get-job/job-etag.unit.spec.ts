import { etagMatches, jobEtag } from './job-etag';

const id = '3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a';

describe('job ETag', () => {
  it('is a strong validator that changes with the version and only with it', () => {
    const etag = jobEtag({ id, version: 1 });

    expect(etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(jobEtag({ id, version: 1 })).toBe(etag);
    expect(jobEtag({ id, version: 2 })).not.toBe(etag);
    expect(jobEtag({ id: '00000000-0000-4000-8000-000000000000', version: 1 })).not.toBe(etag);
  });

  it('matches If-None-Match by weak comparison, in lists and as *', () => {
    const etag = jobEtag({ id, version: 3 });

    expect(etagMatches(etag, etag)).toBe(true);
    expect(etagMatches(`W/${etag}`, etag)).toBe(true);
    expect(etagMatches(`"a", ${etag} , "b"`, etag)).toBe(true);
    expect(etagMatches('*', etag)).toBe(true);
    expect(etagMatches(undefined, etag)).toBe(false);
    expect(etagMatches('"a", "b"', etag)).toBe(false);
    expect(etagMatches(etag.slice(1, -1), etag)).toBe(false);
  });
});
