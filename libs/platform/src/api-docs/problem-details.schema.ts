/** The one error shape of every route (RFC 9457), as the ProblemDetailsFilter writes it. */
export const PROBLEM_DETAILS_SCHEMA = {
  type: 'object',
  description: 'An RFC 9457 problem document, sent as `application/problem+json`. `code` is stable; `detail` is for humans.',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string', format: 'uri', description: 'Identifies the problem; derived from `code`.' },
    title: { type: 'string', description: 'Short summary of the HTTP status.' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    detail: { type: 'string', description: 'What went wrong, for a human.' },
    code: { type: 'string', pattern: '^[A-Z_]+(\\.[A-Z_]+)*$', description: 'Stable machine-readable code, e.g. `JOBS.JOB_NOT_FOUND`.' },
    instance: { type: 'string', description: 'The request path.' },
    errors: {
      type: 'array',
      description: 'For `REQUEST.INVALID`: the fields that failed validation.',
      items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } },
    },
  },
  additionalProperties: true,
  examples: [
    {
      type: 'https://docs.conveyor.dev/problems/request-invalid',
      title: 'Bad request',
      status: 400,
      detail: 'The request is invalid.',
      code: 'REQUEST.INVALID',
      instance: '/v1/jobs',
      errors: [{ field: 'type', message: 'type is required' }],
    },
  ],
};
