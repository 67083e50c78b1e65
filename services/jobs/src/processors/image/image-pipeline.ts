import sharp, { type OutputInfo, type Sharp } from 'sharp';
import { imageErrors } from './image.errors';
import { OUTPUT_FORMATS, type ImageOperation, type OutputFormat } from './image-operations';
import { sniffImageFormat } from './image-sniff';

// Each job decodes its own input once; caching decoded files across jobs only holds memory.
sharp.cache(false);

export interface ImageLimits {
  /** Largest width × height decoded, and largest intermediate image (decompression bombs). */
  maxPixels: number;
  /** Largest encoded result. */
  maxOutputBytes: number;
}

export interface TransformedImage {
  data: Buffer;
  format: OutputFormat;
  width: number;
  height: number;
}

interface RawImage {
  data: Buffer;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

const MIME: Record<OutputFormat, string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', avif: 'image/avif' };
export const contentTypeOf = (format: OutputFormat) => MIME[format];

/**
 * Applies `operations` in the order given. The image library reorders operations inside one
 * pipeline, so each operation runs on its own, on raw pixels handed from one step to the next:
 * the order the client wrote is the order applied, every step's size is checked against the
 * pixel limit, and a cancel is noticed between steps.
 *
 * The header is read before anything is decoded, so an image that would decode to more than
 * `maxPixels` is refused without allocating its pixels.
 */
export async function transformImage(
  input: Buffer,
  operations: readonly ImageOperation[],
  limits: ImageLimits,
  signal: AbortSignal,
): Promise<TransformedImage> {
  const inputFormat = sniffImageFormat(input);
  if (!inputFormat) throw imageErrors.undecodable('not a JPEG, PNG, WebP, GIF, AVIF or TIFF image');
  await checkHeader(input, limits.maxPixels);
  signal.throwIfAborted();
  let image = await decode(input, limits.maxPixels);
  let format: OutputFormat = (OUTPUT_FORMATS as readonly string[]).includes(inputFormat) ? (inputFormat as OutputFormat) : 'png';
  let quality: number | undefined;
  for (const operation of operations) {
    signal.throwIfAborted();
    if (operation.op === 'format') {
      ({ format, quality } = operation);
      continue;
    }
    image = await apply(image, operation, limits.maxPixels);
  }
  signal.throwIfAborted();
  const data = await encode(image, format, quality);
  if (data.length > limits.maxOutputBytes) throw imageErrors.outputTooLarge(limits.maxOutputBytes);
  return { data, format, width: image.width, height: image.height };
}

async function checkHeader(input: Buffer, maxPixels: number): Promise<void> {
  let width: number | undefined;
  let height: number | undefined;
  try {
    ({ width, height } = await sharp(input, { limitInputPixels: false }).metadata());
  } catch {
    throw imageErrors.undecodable('its header is damaged');
  }
  if (!width || !height) throw imageErrors.undecodable('it has no size');
  if (width * height > maxPixels) throw imageErrors.tooManyPixels(width * height, maxPixels);
}

async function decode(input: Buffer, maxPixels: number): Promise<RawImage> {
  try {
    // autoOrient: a photo's EXIF orientation becomes real pixels, so later steps see it upright.
    return rawOf(await sharp(input, { limitInputPixels: maxPixels, failOn: 'error', autoOrient: true }).raw().toBuffer({ resolveWithObject: true }));
  } catch {
    throw imageErrors.undecodable('its data is damaged or incomplete');
  }
}

type PixelOperation = Exclude<ImageOperation, { op: 'format' }>;

function apply(image: RawImage, operation: PixelOperation, maxPixels: number): Promise<RawImage> {
  // Checked before the step runs: one side of a resize can be small while the other explodes.
  const [width, height] = sizeAfter(image, operation);
  if (width * height > maxPixels) throw imageErrors.tooManyPixels(Math.round(width * height), maxPixels);
  const step = (build: (pipeline: Sharp) => Sharp) => run(image, build);
  switch (operation.op) {
    case 'resize': {
      const { width, height, fit = 'cover', withoutEnlargement = false, background } = operation;
      return step((p) => p.resize({ width, height, fit, withoutEnlargement, background }));
    }
    case 'thumbnail':
      return step((p) => p.resize({ width: operation.size, height: operation.size, fit: 'inside', withoutEnlargement: true }));
    case 'crop': {
      const { left, top, width, height } = operation;
      if (left + width > image.width || top + height > image.height) throw imageErrors.cropOutOfBounds(image.width, image.height);
      return step((p) => p.extract({ left, top, width, height }));
    }
    case 'rotate':
      return step((p) => p.rotate(operation.angle, { background: operation.background ?? '#0000' }));
    case 'flip':
      return step((p) => (operation.direction === 'vertical' ? p.flip() : p.flop()));
    case 'grayscale':
      return step((p) => p.grayscale());
    case 'blur':
      return step((p) => p.blur(operation.sigma));
  }
}

/** At most the size an operation produces (enlargement limits only make it smaller). */
export function sizeAfter({ width: w, height: h }: { width: number; height: number }, operation: PixelOperation): [number, number] {
  switch (operation.op) {
    case 'resize': {
      const { width, height, fit = 'cover' } = operation;
      if (width && height) {
        if (fit === 'inside' || fit === 'outside') {
          const scale = (fit === 'inside' ? Math.min : Math.max)(width / w, height / h);
          return [Math.ceil(w * scale), Math.ceil(h * scale)];
        }
        return [width, height];
      }
      return width ? [width, Math.ceil((h * width) / w)] : [Math.ceil((w * (height as number)) / h), height as number];
    }
    case 'thumbnail':
      return [Math.min(w, operation.size), Math.min(h, operation.size)];
    case 'crop':
      return [operation.width, operation.height];
    case 'rotate': {
      const radians = (operation.angle * Math.PI) / 180;
      const [cos, sin] = [Math.abs(Math.cos(radians)), Math.abs(Math.sin(radians))];
      return [Math.ceil(w * cos + h * sin), Math.ceil(w * sin + h * cos)];
    }
    default:
      return [w, h];
  }
}

/** One operation on raw pixels. */
async function run(image: RawImage, build: (pipeline: Sharp) => Sharp): Promise<RawImage> {
  const { data, width, height, channels } = image;
  const pipeline = build(sharp(data, { raw: { width, height, channels }, limitInputPixels: false }));
  return rawOf(await pipeline.raw().toBuffer({ resolveWithObject: true }));
}

function encode(image: RawImage, format: OutputFormat, quality?: number): Promise<Buffer> {
  const { data, width, height, channels } = image;
  const raw = sharp(data, { raw: { width, height, channels }, limitInputPixels: false });
  // Grey pixels stay grey files (one channel), which sharp would otherwise widen to sRGB.
  const pipeline = channels <= 2 ? raw.toColourspace('b-w') : raw;
  switch (format) {
    case 'jpeg':
      return pipeline.jpeg({ quality, mozjpeg: true }).toBuffer();
    case 'png':
      return pipeline.png({ quality }).toBuffer();
    case 'webp':
      return pipeline.webp({ quality }).toBuffer();
    case 'avif':
      return pipeline.avif({ quality }).toBuffer();
  }
}

function rawOf({ data, info }: { data: Buffer; info: OutputInfo }): RawImage {
  return { data, width: info.width, height: info.height, channels: info.channels };
}
