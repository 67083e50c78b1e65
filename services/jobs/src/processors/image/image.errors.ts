import { PermanentJobError, TransientJobError } from '../processor.errors';

/**
 * The stable codes an image job can fail with. Permanent ones describe the image or its
 * source and will not change on a retry; transient ones (the source's 5xx, timeouts, network
 * errors) may.
 */
export const imageErrors = {
  fetchRefused: (why: string) => new PermanentJobError('JOBS.IMAGE_FETCH_REFUSED', `The image URL is refused: ${why}.`),
  fetchFailed: (status: number) => new PermanentJobError('JOBS.IMAGE_FETCH_FAILED', `The image source answered ${status}.`),
  tooManyRedirects: () => new PermanentJobError('JOBS.IMAGE_FETCH_FAILED', 'The image source redirected too many times.'),
  tooLarge: (maxBytes: number) => new PermanentJobError('JOBS.IMAGE_TOO_LARGE', `The image is larger than ${maxBytes} bytes.`),
  tooManyPixels: (pixels: number, maxPixels: number) =>
    new PermanentJobError('JOBS.IMAGE_TOO_MANY_PIXELS', `The image has ${pixels} pixels; at most ${maxPixels} are allowed.`),
  undecodable: (why: string) => new PermanentJobError('JOBS.IMAGE_UNDECODABLE', `The image cannot be decoded: ${why}.`),
  cropOutOfBounds: (width: number, height: number) =>
    new PermanentJobError('JOBS.IMAGE_CROP_OUT_OF_BOUNDS', `The crop does not fit inside the ${width}x${height} image.`),
  outputTooLarge: (maxBytes: number) =>
    new PermanentJobError('JOBS.IMAGE_OUTPUT_TOO_LARGE', `The transformed image is larger than ${maxBytes} bytes.`),
  uploadMissing: () => new PermanentJobError('JOBS.IMAGE_UPLOAD_MISSING', 'The uploaded image of this job is no longer stored.'),
  sourceUnavailable: (status: number) =>
    new TransientJobError('JOBS.IMAGE_SOURCE_UNAVAILABLE', `The image source answered ${status}; the job is retried.`),
  fetchTimedOut: () => new TransientJobError('JOBS.IMAGE_FETCH_TIMEOUT', 'Fetching the image timed out.'),
  network: () => new TransientJobError('JOBS.IMAGE_FETCH_NETWORK', 'The image source could not be reached.'),
};
