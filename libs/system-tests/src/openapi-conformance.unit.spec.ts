import type { HttpExchange } from '@conveyor/client';
import { OpenApiConformance } from './support/openapi-conformance';

const problem = { content: { 'application/problem+json': { schema: { type: 'object', required: ['code'], properties: { code: { type: 'string' } } } } } };
const conformance = new OpenApiConformance([
  {
    service: 'jobs',
    baseUrl: 'http://jobs',
    document: {
      paths: {
        '/v1/jobs': {
          post: {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: { type: 'object', required: ['type'], properties: { type: { type: 'string', minLength: 1 } } } } },
            },
            security: [{ apiKey: [] }, { accessToken: [] }],
            responses: { '202': { content: { 'application/json': { example: { id: 'j', status: 'pending' } } } }, default: problem },
          },
        },
        '/v1/jobs/events': { get: { security: [{ apiKey: [] }], responses: { '200': {} } } },
        '/v1/jobs/{id}': {
          get: {
            parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
            security: [{ apiKey: [] }],
            responses: { '200': {}, '404': problem },
          },
        },
        '/v1/jobs/list': {
          get: { parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer', maximum: 100 } }], security: [], responses: { '200': {} } },
        },
      },
    },
  },
]);

const exchange = (fields: Partial<HttpExchange>): HttpExchange => ({
  method: 'GET',
  url: 'http://jobs/v1/jobs',
  requestHeaders: {},
  requestBody: undefined,
  credential: 'apiKey',
  status: 200,
  responseHeaders: new Headers({ 'content-type': 'application/json' }),
  durationMs: 1,
  ...fields,
});
const id = '3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c';

describe('OpenApiConformance', () => {
  it('accepts an exchange that fits its operation', () => {
    // given a submit with a valid body, an accepted credential and a documented answer
    const submit = exchange({ method: 'POST', requestBody: { type: 'echo' }, status: 202, responseBody: { id: 'j', status: 'pending', createdAt: 'now' } });

    // then nothing is wrong, and a literal path wins over a parameter
    expect(conformance.check(submit)).toEqual([]);
    expect(conformance.match(exchange({ url: 'http://jobs/v1/jobs/events' }))?.operation).toBe('GET /v1/jobs/events');
    expect(conformance.check(exchange({ url: `http://jobs/v1/jobs/${id}` }))).toEqual([]);
  });

  it('names an undocumented operation, a body, parameter or credential that does not fit, and an undocumented answer', () => {
    expect(conformance.check(exchange({ method: 'DELETE', url: `http://jobs/v1/jobs/${id}` }))).toEqual([`DELETE /v1/jobs/${id}: no such operation in the documents`]);
    expect(conformance.check(exchange({ method: 'POST', requestBody: { type: '' }, status: 202 }))[0]).toMatch(/^POST \/v1\/jobs \(202\): the request body does not fit its schema/);
    expect(conformance.check(exchange({ url: 'http://jobs/v1/jobs/not-a-uuid' }))[0]).toMatch(/path parameter id does not fit/);
    expect(conformance.check(exchange({ url: 'http://jobs/v1/jobs/list?limit=500&sort=asc', credential: 'none' }))).toEqual([
      expect.stringMatching(/query parameter limit does not fit/),
      'GET /v1/jobs/list (200): query parameter sort is not documented',
    ]);
    expect(conformance.check(exchange({ url: `http://jobs/v1/jobs/${id}`, credential: 'accessToken' }))).toEqual([
      'GET /v1/jobs/{id} (200): sends accessToken, which the operation does not accept (apiKey)',
    ]);
    expect(conformance.check(exchange({ url: `http://jobs/v1/jobs/${id}`, status: 410 }))).toEqual([
      "GET /v1/jobs/{id} (410): the answer's status is not documented (documented: 200, 404)",
    ]);
    expect(conformance.check(exchange({ method: 'POST', requestBody: { type: 'echo' }, status: 202, responseBody: { id: 'j' } }))).toEqual([
      'POST /v1/jobs (202): the answer lacks fields of the documented example: status',
    ]);
    const badProblem = exchange({ method: 'POST', requestBody: { type: 'echo' }, status: 422, responseBody: { title: 'no code' } });
    badProblem.responseHeaders = new Headers({ 'content-type': 'application/problem+json' });
    expect(conformance.check(badProblem)[0]).toMatch(/the answer does not fit its schema/);
    expect(conformance.check(exchange({ method: 'POST', requestBody: new FormData(), status: 202 }))).toEqual([
      'POST /v1/jobs (202): sends multipart/form-data, which the operation does not document',
    ]);
  });
});
