import { checkApiDocuments, startServiceUnderTest, type ServiceUnderTest } from '@conveyor/service-testing';
import { jobsService } from '../src/jobs.definition';

describe('jobs API documents', () => {
  let sut: ServiceUnderTest<never>;
  beforeAll(async () => {
    sut = (await startServiceUnderTest(jobsService)) as never;
  });
  afterAll(() => sut?.close());

  it('serves Swagger UI from the installed assets', async () => {
    const page = await sut.request('GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.text).toContain('swagger-ui');
  });

  it('names the credentials each route takes: API key or access token, vendor signature headers, or none', async () => {
    const { paths } = (await sut.request('GET', '/docs/openapi.json')).body as {
      paths: Record<string, Record<string, { security?: Record<string, string[]>[] }>>;
    };
    expect(paths['/v1/jobs']?.['post']?.security).toEqual([{ apiKey: [] }, { accessToken: [] }]);
    expect(paths['/v1/vendors/{vendor}/callback']?.['post']?.security).toEqual([{ vendorSignature: [], vendorTimestamp: [] }]);
    expect(paths['/v1/results/{id}']?.['get']?.security).toEqual([]);
    expect(paths['/health/ready']?.['get']?.security).toEqual([]);
  });

  it('serves valid OpenAPI 3.1 and AsyncAPI documents naming every route and event, every error as ProblemDetails', async () => {
    expect(await checkApiDocuments(sut, 'jobs')).toEqual({
      openApiErrors: [],
      undocumentedRoutes: [],
      asyncApiErrors: [],
      undocumentedEvents: [],
      errorsWithoutProblemDetails: [],
    });
  });
});
