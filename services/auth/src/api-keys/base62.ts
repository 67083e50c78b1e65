const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Characters needed to write any value of `byteCount` bytes in base62. */
export const base62Width = (byteCount: number) => Math.ceil((byteCount * 8) / Math.log2(62));

/**
 * Writes `bytes` (big-endian) as a base62 number, left-padded with `0` to the width any value
 * of that many bytes can need. A fixed width keeps every key the same length, and no
 * character is dropped however many leading zero bits the random bytes happen to have.
 */
export function encodeBase62(bytes: Uint8Array): string {
  let value = bytes.reduce((acc, byte) => (acc << 8n) | BigInt(byte), 0n);
  let digits = '';
  while (value > 0n) {
    digits = ALPHABET[Number(value % 62n)] + digits;
    value /= 62n;
  }
  return digits.padStart(base62Width(bytes.length), ALPHABET[0]);
}
