import sharp from 'sharp';
import { pngClaiming, twoToneImage } from '../../../test/image.fixtures';
import { PermanentJobError } from '../processor.errors';
import type { FitMode, ImageOperation } from './image-operations';
import { transformImage } from './image-pipeline';
import { sniffImageFormat } from './image-sniff';

const limits = { maxPixels: 1_000_000, maxOutputBytes: 1_000_000 };
const live = () => new AbortController().signal;
const transform = (input: Buffer, operations: ImageOperation[], custom = limits) => transformImage(input, operations, custom, live());

/** The colour of one pixel, as [r, g, b]. */
async function pixel(image: Buffer, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return [...data.subarray(at, at + info.channels)];
}

describe('the image operations pipeline (sharp, tiny generated images)', () => {
  let landscape: Buffer; // 40 × 20, red above blue

  beforeAll(async () => {
    landscape = await twoToneImage(40, 20);
  });

  it.each<[FitMode, number, number]>([
    ['cover', 10, 10],
    ['contain', 10, 10],
    ['fill', 10, 10],
    ['inside', 10, 5],
    ['outside', 20, 10],
  ])('resizes a 40x20 image into a 10x10 box with fit %s to %ix%i', async (fit, width, height) => {
    const result = await transform(landscape, [{ op: 'resize', width: 10, height: 10, fit }]);
    expect(result).toMatchObject({ width, height, format: 'png' });
    expect(await sharp(result.data).metadata()).toMatchObject({ width, height });
  });

  it('keeps the aspect ratio when only a width is given, and never enlarges when told not to', async () => {
    expect(await transform(landscape, [{ op: 'resize', width: 20 }])).toMatchObject({ width: 20, height: 10 });
    expect(await transform(landscape, [{ op: 'resize', width: 80, withoutEnlargement: true }])).toMatchObject({ width: 40, height: 20 });
  });

  it('makes a thumbnail that fits in its box and never enlarges a small image', async () => {
    expect(await transform(landscape, [{ op: 'thumbnail', size: 10 }])).toMatchObject({ width: 10, height: 5 });
    expect(await transform(landscape, [{ op: 'thumbnail', size: 100 }])).toMatchObject({ width: 40, height: 20 });
  });

  it('crops a region, and refuses a crop that does not fit inside the image', async () => {
    const cropped = await transform(landscape, [{ op: 'crop', left: 0, top: 10, width: 5, height: 5 }]);
    expect(cropped).toMatchObject({ width: 5, height: 5 });
    expect(await pixel(cropped.data, 0, 0)).toEqual([0, 0, 255]);
    await expect(transform(landscape, [{ op: 'crop', left: 30, top: 0, width: 20, height: 5 }])).rejects.toMatchObject({
      code: 'JOBS.IMAGE_CROP_OUT_OF_BOUNDS',
    });
  });

  it('applies operations in the order given', async () => {
    // cropping the bottom-left corner first, then resizing, gives a blue image; the other way round, a crop of a smaller image
    const cropThenResize = await transform(landscape, [{ op: 'crop', left: 0, top: 10, width: 10, height: 10 }, { op: 'resize', width: 4 }]);
    expect(cropThenResize).toMatchObject({ width: 4, height: 4 });
    await expect(
      transform(landscape, [{ op: 'resize', width: 4 }, { op: 'crop', left: 0, top: 10, width: 10, height: 10 }]),
    ).rejects.toMatchObject({ code: 'JOBS.IMAGE_CROP_OUT_OF_BOUNDS' });
  });

  it('rotates by right angles and by any angle, growing the canvas', async () => {
    expect(await transform(landscape, [{ op: 'rotate', angle: 90 }])).toMatchObject({ width: 20, height: 40 });
    const tilted = await transform(landscape, [{ op: 'rotate', angle: 45 }]);
    expect(tilted.width).toBeGreaterThan(40);
  });

  it('flips vertically and horizontally', async () => {
    const flipped = await transform(landscape, [{ op: 'flip', direction: 'vertical' }]);
    expect(await pixel(flipped.data, 0, 0)).toEqual([0, 0, 255]);
    const flopped = await transform(landscape, [{ op: 'flip', direction: 'horizontal' }]);
    expect(await pixel(flopped.data, 0, 0)).toEqual([255, 0, 0]);
  });

  it('turns an image grayscale and blurs it, keeping its size', async () => {
    const gray = await transform(landscape, [{ op: 'grayscale' }]);
    const [r, g, b] = await pixel(gray.data, 0, 0);
    expect(r).toBe(g);
    expect(g).toBe(b);
    const blurred = await transform(landscape, [{ op: 'blur', sigma: 3 }]);
    expect(blurred).toMatchObject({ width: 40, height: 20 });
    // the edge between red and blue is now a mix of both
    const [red, , blue] = await pixel(blurred.data, 20, 10);
    expect(red).toBeGreaterThan(0);
    expect(blue).toBeGreaterThan(0);
  });

  it.each([['jpeg'], ['png'], ['webp'], ['avif']] as const)('converts to %s', async (format) => {
    const result = await transform(landscape, [{ op: 'format', format, quality: 60 }]);
    expect(result.format).toBe(format);
    expect(sniffImageFormat(result.data)).toBe(format);
    expect(await sharp(result.data).metadata()).toMatchObject({ width: 40, height: 20 });
  });

  it('keeps a JPEG or WebP input in its format when no format is asked for', async () => {
    expect((await transform(await twoToneImage(8, 8, 'jpeg'), [{ op: 'grayscale' }])).format).toBe('jpeg');
    expect((await transform(await twoToneImage(8, 8, 'webp'), [{ op: 'grayscale' }])).format).toBe('webp');
  });

  it('refuses an image whose header claims too many pixels, before decoding it', async () => {
    const bomb = pngClaiming(30_000, 30_000);
    expect(bomb.length).toBeLessThan(1_000);
    await expect(transform(bomb, [{ op: 'grayscale' }])).rejects.toMatchObject({ code: 'JOBS.IMAGE_TOO_MANY_PIXELS' });
  });

  it('refuses an operation that would make the image too large', async () => {
    const tall = await twoToneImage(1, 1000);
    await expect(transform(tall, [{ op: 'resize', width: 8000 }])).rejects.toMatchObject({ code: 'JOBS.IMAGE_TOO_MANY_PIXELS' });
  });

  it('refuses a result larger than the output limit', async () => {
    await expect(transform(landscape, [{ op: 'format', format: 'png' }], { ...limits, maxOutputBytes: 10 })).rejects.toMatchObject({
      code: 'JOBS.IMAGE_OUTPUT_TOO_LARGE',
    });
  });

  it.each([
    ['text', Buffer.from('hello, not an image')],
    ['an SVG document', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')],
  ])('refuses %s as undecodable', async (_, input) => {
    const failure = transform(input, [{ op: 'grayscale' }]);
    await expect(failure).rejects.toBeInstanceOf(PermanentJobError);
    await expect(failure).rejects.toMatchObject({ code: 'JOBS.IMAGE_UNDECODABLE' });
  });

  it('refuses a truncated image as undecodable', async () => {
    const truncated = (await twoToneImage(40, 20)).subarray(0, 60);
    await expect(transform(truncated, [{ op: 'grayscale' }])).rejects.toMatchObject({ code: 'JOBS.IMAGE_UNDECODABLE' });
  });

  it('stops when its signal is aborted', async () => {
    const controller = new AbortController();
    const reason = new DOMException('canceled', 'AbortError');
    controller.abort(reason);
    await expect(transformImage(landscape, [{ op: 'grayscale' }], limits, controller.signal)).rejects.toBe(reason);
  });
});
