import { decodeKeysetCursor, encodeKeysetCursor } from './keyset-cursor';

describe('the keyset cursor', () => {
  const position = { createdAt: '2025-01-15T09:32:00.123456Z', id: '3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a' };

  it('decodes to the position it was made from, microseconds included', () => {
    // given
    const cursor = encodeKeysetCursor(position);

    // then it is URL-safe and reads back unchanged
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeKeysetCursor(cursor)).toEqual(position);
  });

  it.each([
    ['not base64url', 'a+b/c='],
    ['not JSON', Buffer.from('nope').toString('base64url')],
    ['a JSON object', Buffer.from(JSON.stringify(position)).toString('base64url')],
    ['a time without microseconds', encodeKeysetCursor({ ...position, createdAt: '2025-01-15T09:32:00.123Z' })],
    ['an id that is no UUID', encodeKeysetCursor({ ...position, id: "x' OR 1=1" })],
    ['empty', ''],
  ])('refuses a cursor that is %s', (_, cursor) => {
    expect(decodeKeysetCursor(cursor)).toBeUndefined();
  });
});
