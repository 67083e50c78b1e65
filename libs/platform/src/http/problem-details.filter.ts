import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppError, RateLimitedError, type ErrorKind } from '../errors/app-error';
import { isDatabaseUnavailable } from '@conveyor/persistence';

const STATUS_OF_KIND: Record<ErrorKind, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unprocessable: 422,
  rate_limited: 429,
};

/** RFC 9457 problem details with our stable `code`. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  [extension: string]: unknown;
}

/**
 * The one place where errors become HTTP responses. Every answer is
 * `application/problem+json`; a client mistake is a 4xx with a stable code; anything
 * unexpected is a 500 that is logged in full but shows the client no internals.
 */
const UNAVAILABLE = 'SERVICE.UNAVAILABLE';
const UNAVAILABLE_RETRY_AFTER_SECONDS = 2;

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(error: unknown, host: ArgumentsHost): void {
    // Event handlers' errors belong to the consumer transport, which retries or dead-letters.
    if (host.getType() !== 'http') throw error;
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const problem = this.toProblem(error);
    if (problem.code === UNAVAILABLE) {
      this.logger.warn({ path: request.path, reason: (error as Error).message }, 'Database unavailable while serving a request');
    } else if (problem.status >= 500) {
      this.logger.error({ err: error, path: request.path }, 'Unhandled error while serving a request');
    }
    if (response.headersSent) return;
    if (problem.code === UNAVAILABLE) response.setHeader('Retry-After', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
    if (error instanceof RateLimitedError) {
      response.setHeader('Retry-After', String(error.retryAfterSeconds));
      for (const [name, value] of Object.entries(error.headers)) response.setHeader(name, value);
    }
    response
      .status(problem.status)
      .type('application/problem+json')
      .json({ ...problem, instance: request.originalUrl?.split('?')[0] });
  }

  private toProblem(error: unknown): ProblemDocument {
    if (error instanceof AppError) {
      return problem(STATUS_OF_KIND[error.kind], error.code, error.message, error.details);
    }
    if (error instanceof HttpException && error.getStatus() < 500) {
      const status = error.getStatus();
      return problem(status, codeForStatus(status), messageOf(error));
    }
    // No connection in time (pool exhausted under load, or the database down): not the
    // client's fault and likely gone soon, so a 503 the client may retry, not a 500.
    if (isDatabaseUnavailable(error)) {
      return problem(503, UNAVAILABLE, 'The service cannot reach its database right now. Retry shortly.');
    }
    return problem(500, 'INTERNAL', 'Something went wrong on our side. Quote the trace id to support.');
  }
}

function problem(status: number, code: string, detail: string, extra?: Record<string, unknown>): ProblemDocument {
  const title = (HttpStatus[status] ?? 'Error').toString().toLowerCase().replace(/_/g, ' ');
  return {
    ...extra,
    type: `https://docs.conveyor.dev/problems/${code.toLowerCase().replace(/[._]/g, '-')}`,
    title: title.charAt(0).toUpperCase() + title.slice(1),
    status,
    detail,
    code,
  };
}

function codeForStatus(status: number): string {
  switch (status) {
    case 404:
      return 'REQUEST.NOT_FOUND';
    case 405:
      return 'REQUEST.METHOD_NOT_ALLOWED';
    case 401:
      return 'AUTH.UNAUTHENTICATED';
    case 403:
      return 'AUTH.FORBIDDEN';
    case 413:
      return 'REQUEST.TOO_LARGE';
    case 415:
      return 'REQUEST.UNSUPPORTED_MEDIA_TYPE';
    case 429:
      return 'REQUEST.RATE_LIMITED';
    default:
      return status >= 500 ? 'INTERNAL' : 'REQUEST.INVALID';
  }
}

function messageOf(error: HttpException): string {
  const body = error.getResponse();
  if (typeof body === 'string') return body;
  const message = (body as { message?: unknown }).message;
  return Array.isArray(message) ? message.join('; ') : String(message ?? error.message);
}
