import { twoToneImage } from '../../../test/image.fixtures';
import type { BlobStore } from '../../results/blob-store';
import { FileResult } from '../../results/file-result';
import { ImageTransformProcessor } from './image-transform.processor';

const config = {
  JOBS_ALLOW_LOOPBACK_FETCH: false,
  IMAGE_MAX_BYTES: 1024 * 1024,
  IMAGE_MAX_PIXELS: 1_000_000,
  IMAGE_MAX_OUTPUT_BYTES: 1024 * 1024,
  IMAGE_FETCH_TIMEOUT_MS: 5_000,
};

/** A blob store holding the uploads given, by job id. */
const uploads = (files: Record<string, Buffer>) => ({ read: async ({ jobId }: { jobId: string }) => files[jobId] }) as unknown as BlobStore;

describe('the image.transform processor', () => {
  const processor = new ImageTransformProcessor(config, uploads({}));
  const errorsOf = (input: unknown) =>
    processor.inputSchema
      .validate(input, { abortEarly: false, convert: false, errors: { wrap: { label: false } } })
      .error?.details.map((detail) => detail.path.join('.'));
  const operations = [{ op: 'grayscale' }];

  it('takes an image URL or an upload, never both or neither', () => {
    expect(errorsOf({ imageUrl: 'https://images.example.com/a.png', operations })).toBeUndefined();
    expect(errorsOf({ upload: { bytes: 10, sha256: 'a'.repeat(64) }, operations })).toBeUndefined();
    expect(errorsOf({ operations })).toEqual(['']);
    expect(errorsOf({ imageUrl: 'https://images.example.com/a.png', upload: { bytes: 10, sha256: 'a'.repeat(64) }, operations })).toEqual(['']);
    expect(errorsOf({ imageUrl: 'https://images.example.com/a.png' })).toEqual(['operations']);
  });

  it('refuses URLs that are not http(s) or that name a non-public address, loopback only without the allowance', () => {
    for (const imageUrl of ['ftp://images.example.com/a.png', 'http://127.0.0.1/a.png', 'http://[::1]/a.png', 'http://169.254.169.254/', 'http://[::ffff:10.0.0.1]/']) {
      expect({ imageUrl, errors: errorsOf({ imageUrl, operations }) }).toEqual({ imageUrl, errors: ['imageUrl'] });
    }
    const testing = new ImageTransformProcessor({ ...config, JOBS_ALLOW_LOOPBACK_FETCH: true }, uploads({}));
    expect(testing.inputSchema.validate({ imageUrl: 'http://127.0.0.1:8080/a.png', operations }).error).toBeUndefined();
    expect(testing.inputSchema.validate({ imageUrl: 'http://10.0.0.1/a.png', operations }).error).toBeDefined();
  });

  it('declares its retries and a time limit above the fetch limit', () => {
    expect(processor).toMatchObject({ type: 'image.transform', acceptsUpload: true, maxAttempts: 3 });
    expect(processor.timeoutMs).toBeGreaterThan(config.IMAGE_FETCH_TIMEOUT_MS);
  });

  it('transforms the job’s upload into a file result that describes itself', async () => {
    const withUpload = new ImageTransformProcessor(config, uploads({ 'job-1': await twoToneImage(30, 20) }));
    const result = await withUpload.process(
      { upload: { bytes: 1, sha256: 'a'.repeat(64) }, operations: [{ op: 'rotate', angle: 90 }, { op: 'format', format: 'avif' }] },
      { jobId: 'job-1', attempt: 1, signal: new AbortController().signal },
    );
    expect(result).toBeInstanceOf(FileResult);
    expect(result).toMatchObject({ contentType: 'image/avif', metadata: { format: 'avif', width: 20, height: 30 } });
  });

  it('fails for good when the job’s upload is gone', async () => {
    const running = processor.process({ upload: { bytes: 1, sha256: 'a'.repeat(64) }, operations }, { jobId: 'job-2', attempt: 1, signal: new AbortController().signal });
    await expect(running).rejects.toMatchObject({ code: 'JOBS.IMAGE_UPLOAD_MISSING' });
  });
});
