import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Job } from '../../jobs/job.entity';
import { BlobStore } from '../blob-store';
import { ResultFileMissingError, ResultNotReadyError } from '../results.errors';

const EXTENSIONS: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp', 'image/avif': 'avif' };

/** Sends a succeeded job's result: its JSON as it is, or its file streamed from the blob store. */
@Injectable()
export class ResultDownload {
  constructor(private readonly blobs: BlobStore) {}

  async send(job: Job, response: Response, cacheControl: string): Promise<void> {
    if (job.status !== 'succeeded') throw new ResultNotReadyError(job.status);
    response.set({ 'Cache-Control': cacheControl, 'X-Content-Type-Options': 'nosniff' });
    if (job.resultContentType === null) {
      response.status(200).json(job.result ?? null);
      return;
    }
    const key = { jobId: job.id, purpose: 'result' as const };
    const file = await this.blobs.info(key);
    if (!file) throw new ResultFileMissingError();
    const extension = EXTENSIONS[file.contentType] ?? 'bin';
    response.status(200).set({
      'Content-Type': file.contentType,
      'Content-Length': String(file.bytes),
      'Content-Disposition': `inline; filename="${job.id}.${extension}"`,
      ETag: `"${file.sha256}"`,
    });
    // Slices are read as the client takes them; a client that goes away stops the reading,
    // which is no error of ours.
    await pipeline(Readable.from(this.blobs.chunks(key)), response).catch((error: { code?: string }) => {
      if (error.code !== 'ERR_STREAM_PREMATURE_CLOSE') throw error;
    });
  }
}
