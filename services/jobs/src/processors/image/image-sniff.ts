/** The input formats accepted, recognised by their leading bytes (never by a declared type). */
export type InputFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'avif' | 'tiff';

const startsWith = (data: Buffer, bytes: number[], at = 0) => bytes.every((byte, i) => data[at + i] === byte);
const ascii = (data: Buffer, from: number, to: number) => data.toString('latin1', from, to);

/**
 * Which image format `data` is, or undefined for anything else. SVG, PDF and the other
 * formats the image library could also open are refused on purpose: they are documents that
 * can reference other files or expand without bound.
 */
export function sniffImageFormat(data: Buffer): InputFormat | undefined {
  if (startsWith(data, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(data, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (ascii(data, 0, 4) === 'RIFF' && ascii(data, 8, 12) === 'WEBP') return 'webp';
  if (ascii(data, 0, 6) === 'GIF87a' || ascii(data, 0, 6) === 'GIF89a') return 'gif';
  if (ascii(data, 4, 8) === 'ftyp' && ['avif', 'avis'].includes(ascii(data, 8, 12))) return 'avif';
  if (startsWith(data, [0x49, 0x49, 0x2a, 0x00]) || startsWith(data, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  return undefined;
}
