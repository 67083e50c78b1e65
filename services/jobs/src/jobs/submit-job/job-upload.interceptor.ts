import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { APP_CONFIG } from '@conveyor/config';
import { AppError } from '@conveyor/platform';
import type { Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import type { Observable } from 'rxjs';
import type { JobsConfig } from '../../jobs.config';

/** The multipart part that carries the file. */
export const UPLOAD_FIELD = 'file';

/** The JSON fields travel as text parts; a job's body is at most the JSON limit (1 MB). */
const MAX_FIELD_BYTES = 1024 * 1024;

export class UploadTooLargeError extends AppError {
  constructor(maxBytes: number) {
    super('JOBS.UPLOAD_TOO_LARGE', 'too_large', `The uploaded file is larger than ${maxBytes} bytes.`, { maxBytes });
  }
}

export class InvalidUploadError extends AppError {
  constructor(reason: string) {
    super('JOBS.INVALID_UPLOAD', 'invalid', `The multipart body is not valid: ${reason}.`, { reason });
  }
}

/**
 * Reads a `multipart/form-data` submission into memory: at most one file, in the part named
 * `file`, of at most IMAGE_MAX_BYTES, and a few small text parts. It runs after the auth guard,
 * so nobody can make the service buffer a file without a valid key. Other content types pass
 * through untouched (multer ignores them).
 */
@Injectable()
export class JobUploadInterceptor implements NestInterceptor {
  private readonly parse: RequestHandler;

  constructor(@Inject(APP_CONFIG) private readonly config: Pick<JobsConfig, 'IMAGE_MAX_BYTES'>) {
    this.parse = multer({
      storage: multer.memoryStorage(),
      limits: { fileSize: config.IMAGE_MAX_BYTES, files: 1, fields: 8, fieldSize: MAX_FIELD_BYTES, parts: 9, headerPairs: 100 },
    }).single(UPLOAD_FIELD);
  }

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    await new Promise<void>((resolve, reject) =>
      this.parse(http.getRequest<Request>(), http.getResponse<Response>(), (error?: unknown) =>
        error ? reject(this.asAppError(error)) : resolve(),
      ),
    );
    return next.handle();
  }

  private asAppError(error: unknown): AppError {
    if (error instanceof multer.MulterError) {
      if (error.code === 'LIMIT_FILE_SIZE') return new UploadTooLargeError(this.config.IMAGE_MAX_BYTES);
      if (error.code === 'LIMIT_UNEXPECTED_FILE') return new InvalidUploadError(`send one file, in the part named "${UPLOAD_FIELD}"`);
      return new InvalidUploadError(error.message.toLowerCase());
    }
    return new InvalidUploadError('it could not be read');
  }
}
