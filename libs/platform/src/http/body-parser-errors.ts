import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../errors/app-error';

/**
 * Express error middleware placed right after the body parsers: turns their failures into
 * errors with stable codes before Nest's generic mapping sees them.
 */
export function bodyParserErrors(error: unknown, _req: Request, _res: Response, next: NextFunction): void {
  const type = (error as { type?: unknown } | null)?.type;
  switch (type) {
    case 'entity.parse.failed':
      return next(new AppError('REQUEST.MALFORMED_JSON', 'invalid', 'The request body is not valid JSON.'));
    case 'entity.too.large':
      return next(new AppError('REQUEST.TOO_LARGE', 'too_large', 'The request body is too large.'));
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return next(new AppError('REQUEST.UNSUPPORTED_ENCODING', 'invalid', 'The request body encoding is not supported.'));
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return next(new AppError('REQUEST.UNREADABLE_BODY', 'invalid', 'The request body could not be read.'));
    default:
      // Any other refusal of the body parsers (a body that claims gzip and is not, say) is the
      // client's mistake too; only errors without a 4xx status are left to the 500 path.
      return next(isClientError(error) ? new AppError('REQUEST.UNREADABLE_BODY', 'invalid', 'The request body could not be read.') : error);
  }
}

function isClientError(error: unknown): boolean {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}
