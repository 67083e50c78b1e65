import { BadRequestException, type ArgumentsHost } from '@nestjs/common';
import { RequestValidationError } from '../errors/app-error';
import { ProblemDetailsFilter } from './problem-details.filter';

/** What the filter wrote to the response of one request. */
function answerTo(error: unknown) {
  const answer = { status: 0, headers: {} as Record<string, string>, type: '', body: {} as Record<string, unknown> };
  const response = {
    headersSent: false,
    setHeader: (name: string, value: string) => (answer.headers[name.toLowerCase()] = value),
    status(code: number) {
      answer.status = code;
      return this;
    },
    type(value: string) {
      answer.type = value;
      return this;
    },
    json: (body: Record<string, unknown>) => (answer.body = body),
  };
  const host = {
    getType: () => 'http',
    switchToHttp: () => ({ getRequest: () => ({ path: '/v1/things', originalUrl: '/v1/things?x=1' }), getResponse: () => response }),
  } as unknown as ArgumentsHost;
  new ProblemDetailsFilter().catch(error, host);
  return answer;
}

describe('ProblemDetailsFilter', () => {
  it('answers an unreachable database (no pooled connection in time) with 503 and Retry-After, not 500', () => {
    const answer = answerTo(new Error('timeout exceeded when trying to connect'));
    expect(answer).toMatchObject({ status: 503, headers: { 'retry-after': '2' }, type: 'application/problem+json' });
    expect(answer.body).toMatchObject({ code: 'SERVICE.UNAVAILABLE', status: 503, instance: '/v1/things' });
  });

  it('keeps other errors as they were: the app error its own status, anything unknown a bare 500', () => {
    expect(answerTo(new RequestValidationError([{ field: 'x', message: 'is required' }]))).toMatchObject({ status: 400 });
    expect(answerTo(new BadRequestException('nope'))).toMatchObject({ status: 400, body: { code: 'REQUEST.INVALID' } });
    const unknown = answerTo(new TypeError('undefined is not a function'));
    expect(unknown).toMatchObject({ status: 500, body: { code: 'INTERNAL' } });
    expect(JSON.stringify(unknown.body)).not.toContain('undefined is not a function');
  });
});
