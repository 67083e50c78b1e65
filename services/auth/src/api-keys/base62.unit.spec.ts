import { base62Width, encodeBase62 } from './base62';

const decode = (text: string) =>
  [...text].reduce(
    (acc, char) => acc * 62n + BigInt('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'.indexOf(char)),
    0n,
  );

describe('base62', () => {
  it('needs 43 characters for 32 bytes, since 62^42 < 2^256 <= 62^43', () => {
    expect(base62Width(32)).toBe(43);
    expect(62n ** 42n < 2n ** 256n).toBe(true);
    expect(2n ** 256n <= 62n ** 43n).toBe(true);
  });

  it('writes small values with digits, upper case, then lower case', () => {
    // given one byte each, so the width is 2
    expect(encodeBase62(Uint8Array.of(0))).toBe('00');
    expect(encodeBase62(Uint8Array.of(10))).toBe('0A');
    expect(encodeBase62(Uint8Array.of(61))).toBe('0z');
    expect(encodeBase62(Uint8Array.of(62))).toBe('10');
    expect(encodeBase62(Uint8Array.of(255))).toBe('47');
  });

  it('keeps the full width for 32 zero bytes and for 32 bytes of 0xff', () => {
    // when
    const zeros = encodeBase62(new Uint8Array(32));
    const ones = encodeBase62(new Uint8Array(32).fill(0xff));

    // then
    expect(zeros).toBe('0'.repeat(43));
    expect(ones).toHaveLength(43);
    expect(decode(ones)).toBe(2n ** 256n - 1n);
  });

  it('round-trips a 32-byte value, reading the bytes big-endian', () => {
    const bytes = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) % 256);
    const expected = bytes.reduce((acc, b) => acc * 256n + BigInt(b), 0n);

    expect(decode(encodeBase62(bytes))).toBe(expected);
  });
});
