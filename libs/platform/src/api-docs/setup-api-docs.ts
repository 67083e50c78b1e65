import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { buildOpenApiDocument, type ApiDocsDefinition } from './openapi-document';
import { serviceAsyncApiDocument } from './service-asyncapi';

export const API_DOCS_PATHS = { ui: '/docs', openapi: '/docs/openapi.json', asyncapi: '/docs/asyncapi.json' } as const;

/**
 * Serves the service's API documents, built from its code on first request (when every
 * controller and event handler is registered): Swagger UI at `/docs` (assets from the
 * installed swagger-ui-dist, no CDN), OpenAPI 3.1 at `/docs/openapi.json`, and the AsyncAPI
 * document of the events it publishes and consumes at `/docs/asyncapi.json`.
 */
export function setupApiDocs(
  app: NestExpressApplication,
  service: { name: string; apiDocs?: ApiDocsDefinition },
  consumedTypes: () => string[],
): void {
  let openapi: OpenAPIObject | undefined;
  const openApiDocument = () => (openapi ??= buildOpenApiDocument(app, service.name, service.apiDocs));
  SwaggerModule.setup(API_DOCS_PATHS.ui.slice(1), app, openApiDocument, {
    jsonDocumentUrl: API_DOCS_PATHS.openapi.slice(1),
    raw: ['json'],
    customSiteTitle: `Conveyor ${service.name} API`,
  });
  let asyncapi: Record<string, unknown> | undefined;
  app.getHttpAdapter().get(API_DOCS_PATHS.asyncapi, (_req: unknown, res: unknown) => {
    asyncapi ??= serviceAsyncApiDocument(service.name, consumedTypes());
    app.getHttpAdapter().reply(res, asyncapi, 200);
  });
}
