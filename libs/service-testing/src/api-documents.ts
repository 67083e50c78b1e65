import { Parser } from '@asyncapi/parser';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { ServiceConfig } from '@conveyor/config';
import { catalogue } from '@conveyor/contracts';
import type { ServiceDefinition } from '@conveyor/platform';
import { startServiceUnderTest, type ServiceUnderTest } from './service-under-test';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

interface RouterLayer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
}

/** What is wrong with a service's served API documents; every list is empty when all is well. */
export interface ApiDocumentsCheck {
  openApiErrors: string[];
  undocumentedRoutes: string[];
  asyncApiErrors: string[];
  undocumentedEvents: string[];
  /** Error responses (4xx, 5xx, default) whose body is not the shared ProblemDetails schema. */
  errorsWithoutProblemDetails: string[];
}

/**
 * Fetches `/docs/openapi.json` and `/docs/asyncapi.json` of a running service, validates them
 * with their official parsers, and compares them with what the service really does: every
 * route in Express's router (besides the docs' own) must be in the OpenAPI paths with its
 * method, every event type it has a handler for or is the producer of in the AsyncAPI channels.
 */
export async function checkApiDocuments<C extends ServiceConfig>(sut: ServiceUnderTest<C>, service: string): Promise<ApiDocumentsCheck> {
  // Both are fetched before the (slow) validation, which could outlast the keep-alive timeout.
  const [openapiReply, asyncapiReply] = await Promise.all([sut.request('GET', '/docs/openapi.json'), sut.request('GET', '/docs/asyncapi.json')]);
  const openapi = openapiReply.body as {
    openapi: string;
    paths: Record<string, Record<string, unknown>>;
  };
  const asyncapi = asyncapiReply.body as { channels?: Record<string, unknown> };
  const openApiErrors: string[] = [];
  if (openapi.openapi !== '3.1.0') openApiErrors.push(`openapi is ${openapi.openapi}, not 3.1.0`);
  await SwaggerParser.validate(structuredClone(openapi) as never).catch((error: Error) => openApiErrors.push(error.message));

  const router = (sut.app.getHttpAdapter().getInstance() as { router: { stack: RouterLayer[] } }).router;
  const routes = router.stack.flatMap((layer) =>
    layer.route
      ? [layer.route.path]
          .flat()
          // The docs' own routes, and Nest's catch-all layers for middleware (`/{*path}`).
          .filter((path) => !path.startsWith('/docs') && !path.includes('{*'))
          .flatMap((path) => Object.keys(layer.route?.methods ?? {}).filter((m) => METHODS.includes(m)).map((m) => `${m.toUpperCase()} ${path}`))
      : [],
  );
  const undocumentedRoutes = routes.filter((route) => {
    const [method, path] = route.split(' ') as [string, string];
    return !openapi.paths[path.replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()];
  });

  const { diagnostics } = await new Parser().parse(asyncapi as never);
  const asyncApiErrors = diagnostics.filter((d) => d.severity === 0).map((d) => `${d.path.join('.')}: ${d.message}`);
  const expected = new Set([
    ...catalogue.filter((contract) => contract.producer === service).map((contract) => contract.type),
    ...handledTypes(sut),
  ]);
  const undocumentedEvents = [...expected].filter((type) => !asyncapi.channels?.[type]);
  const errorsWithoutProblemDetails = Object.entries(openapi.paths).flatMap(([path, item]) =>
    Object.entries(item).flatMap(([method, operation]) =>
      Object.entries((operation as { responses?: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }> }).responses ?? {})
        .filter(([status]) => status === 'default' || Number(status) >= 400)
        .filter(([, response]) => response.content?.['application/problem+json']?.schema?.$ref !== '#/components/schemas/ProblemDetails')
        .map(([status]) => `${method.toUpperCase()} ${path} ${status}`),
    ),
  );
  return { openApiErrors, undocumentedRoutes, asyncApiErrors, undocumentedEvents, errorsWithoutProblemDetails };
}

function handledTypes<C extends ServiceConfig>(sut: ServiceUnderTest<C>): string[] {
  const server = (sut.app.getMicroservices()[0] as unknown as { serverInstance: { getHandlers(): Map<string, unknown> } }).serverInstance;
  return [...server.getHandlers().keys()];
}

/**
 * The API-documents suite every service runs: Swagger UI from the installed assets, and valid
 * documents naming every route and event. `more` adds a service's own cases; it gets the
 * running service.
 */
export function describeApiDocuments<C extends ServiceConfig>(
  definition: ServiceDefinition<C>,
  more?: (service: () => ServiceUnderTest<C>) => void,
): void {
  describe(`${definition.name} API documents`, () => {
    let sut: ServiceUnderTest<C>;
    beforeAll(async () => {
      sut = await startServiceUnderTest(definition);
    });
    afterAll(() => sut?.close());

    it('serves Swagger UI from the installed assets', async () => {
      const page = await sut.request('GET', '/docs');
      expect(page.status).toBe(200);
      expect(page.text).toContain('swagger-ui');
    });

    more?.(() => sut);

    it('serves valid OpenAPI 3.1 and AsyncAPI documents naming every route and event, every error as ProblemDetails', async () => {
      expect(await checkApiDocuments(sut, definition.name)).toEqual({
        openApiErrors: [],
        undocumentedRoutes: [],
        asyncApiErrors: [],
        undocumentedEvents: [],
        errorsWithoutProblemDetails: [],
      });
    });
  });
}
