import { checkApiDocuments, startServiceUnderTest, type ServiceUnderTest } from '@conveyor/service-testing';
import { userService } from '../src/user.definition';

describe('user API documents', () => {
  let sut: ServiceUnderTest<never>;
  beforeAll(async () => {
    sut = (await startServiceUnderTest(userService)) as never;
  });
  afterAll(() => sut?.close());

  it('serves Swagger UI from the installed assets', async () => {
    const page = await sut.request('GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.text).toContain('swagger-ui');
  });

  it('serves valid OpenAPI 3.1 and AsyncAPI documents naming every route and event, every error as ProblemDetails', async () => {
    expect(await checkApiDocuments(sut, 'user')).toEqual({
      openApiErrors: [],
      undocumentedRoutes: [],
      asyncApiErrors: [],
      undocumentedEvents: [],
      errorsWithoutProblemDetails: [],
    });
  });
});
