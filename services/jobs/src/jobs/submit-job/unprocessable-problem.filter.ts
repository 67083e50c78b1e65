import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { UnprocessableError } from '../jobs.errors';

/**
 * Answers an UnprocessableError with `422` and a problem document of the platform's shape.
 * It exists only because the platform's error kinds have no 422 yet; once they do, the
 * errors take that kind and this filter goes.
 */
@Catch(UnprocessableError)
export class UnprocessableProblemFilter implements ExceptionFilter {
  catch(error: UnprocessableError, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    if (response.headersSent) return;
    response
      .status(422)
      .type('application/problem+json')
      .json({
        ...error.details,
        type: `https://docs.conveyor.dev/problems/${error.code.toLowerCase().replace(/[._]/g, '-')}`,
        title: 'Unprocessable entity',
        status: 422,
        detail: error.message,
        code: error.code,
        instance: http.getRequest<Request>().originalUrl?.split('?')[0],
      });
  }
}
