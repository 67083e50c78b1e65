import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@conveyor/config';
import { isBlockedAddress } from '@conveyor/ssrf-guard';
import Joi from 'joi';
import { isIP } from 'node:net';
import type { JobsConfig } from '../../jobs.config';
import { BlobStore } from '../../results/blob-store';
import { FileResult } from '../../results/file-result';
import type { JobProcessor, ProcessorContext } from '../job-processor';
import { imageErrors } from './image.errors';
import { ImageFetcher } from './image-fetcher';
import { operationsSchema, type ImageOperation } from './image-operations';
import { contentTypeOf, transformImage, type ImageLimits } from './image-pipeline';

export const IMAGE_TRANSFORM = 'image.transform';

type ImageConfig = Pick<
  JobsConfig,
  'JOBS_ALLOW_LOOPBACK_FETCH' | 'IMAGE_MAX_BYTES' | 'IMAGE_MAX_PIXELS' | 'IMAGE_MAX_OUTPUT_BYTES' | 'IMAGE_FETCH_TIMEOUT_MS'
>;

interface ImageTransformInput {
  /** Fetched through the SSRF guard when the job runs. */
  imageUrl?: string;
  /** Set by the service when the image was uploaded with the job (`multipart/form-data`). */
  upload?: { bytes: number; sha256: string };
  operations: ImageOperation[];
}

/** Time for the transform itself, on top of the fetch's own limit. */
const TRANSFORM_ALLOWANCE_MS = 60_000;

/**
 * `image.transform`: takes an image by URL or upload, applies the client's operations in order
 * and stores the result as a file (see image-pipeline for the limits that keep a hostile image
 * from exhausting the worker). Fails for good when the image or its source is the problem,
 * transiently when the source may recover (5xx, timeouts, network).
 */
@Injectable()
export class ImageTransformProcessor implements JobProcessor {
  readonly type = IMAGE_TRANSFORM;
  readonly acceptsUpload = true;
  readonly maxAttempts = 3;
  readonly timeoutMs: number;
  readonly inputSchema: Joi.ObjectSchema<ImageTransformInput>;
  private readonly fetcher: ImageFetcher;
  private readonly limits: ImageLimits;

  constructor(
    @Inject(APP_CONFIG) config: ImageConfig,
    private readonly blobs: BlobStore,
  ) {
    const allowLoopback = config.JOBS_ALLOW_LOOPBACK_FETCH;
    this.fetcher = new ImageFetcher({ allowLoopback, timeoutMs: config.IMAGE_FETCH_TIMEOUT_MS, maxBytes: config.IMAGE_MAX_BYTES });
    this.limits = { maxPixels: config.IMAGE_MAX_PIXELS, maxOutputBytes: config.IMAGE_MAX_OUTPUT_BYTES };
    this.timeoutMs = config.IMAGE_FETCH_TIMEOUT_MS + TRANSFORM_ALLOWANCE_MS;
    this.inputSchema = Joi.object<ImageTransformInput>({
      imageUrl: Joi.string()
        .max(2048)
        .uri({ scheme: ['http', 'https'] })
        .custom((url: string, helpers) =>
          literalAddressBlocked(url, allowLoopback) ? helpers.message({ custom: '"imageUrl" must point at a public address' }) : url,
        ),
      upload: Joi.object({
        bytes: Joi.number().integer().min(1).required(),
        sha256: Joi.string().hex().length(64).required(),
      }),
      operations: operationsSchema.required(),
    }).xor('imageUrl', 'upload');
  }

  async process(input: unknown, { signal, jobId }: ProcessorContext): Promise<FileResult> {
    const { imageUrl, operations } = input as ImageTransformInput;
    const source = imageUrl === undefined ? await this.uploadOf(jobId) : await this.fetcher.fetch(imageUrl, signal);
    const image = await transformImage(source, operations, this.limits, signal);
    const metadata = { format: image.format, width: image.width, height: image.height };
    return new FileResult(image.data, contentTypeOf(image.format), metadata);
  }

  private async uploadOf(jobId: string): Promise<Buffer> {
    const data = await this.blobs.read({ jobId, purpose: 'upload' });
    if (!data) throw imageErrors.uploadMissing();
    return data;
  }
}

/**
 * Caught at submission when the URL names an IP address: a quick, clear answer. Host names are
 * judged by the address the socket connects to, when the job runs.
 */
function literalAddressBlocked(url: string, allowLoopback: boolean): boolean {
  const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  return isIP(host) !== 0 && isBlockedAddress(host, { allowLoopback });
}
