import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { IdempotencyKeyReusedError } from '../top-ups.errors';

/**
 * Answers a reused Idempotency-Key with 422, as the IETF draft asks, in the platform's problem
 * shape. Interim: the platform's error kinds have no 422 yet; once they do, this filter goes.
 */
@Catch(IdempotencyKeyReusedError)
export class IdempotencyKeyReusedFilter implements ExceptionFilter {
  catch(error: IdempotencyKeyReusedError, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    http
      .getResponse<Response>()
      .status(422)
      .type('application/problem+json')
      .json({
        type: 'https://docs.conveyor.dev/problems/billing-idempotency-key-reused',
        title: 'Unprocessable entity',
        status: 422,
        detail: error.message,
        code: error.code,
        instance: request.originalUrl?.split('?')[0],
      });
  }
}
