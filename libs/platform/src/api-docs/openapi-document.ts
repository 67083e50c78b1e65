import { SetMetadata, type INestApplication, type Type } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { ApiBody } from '@nestjs/swagger';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { Schema } from 'joi';
import { AdminRoleGuard } from '../access-token/role.guard';
import { AccessTokenGuard } from '../http/access-token.guard';
import { joiToJsonSchema, type JsonSchema } from './joi-json-schema';
import { PROBLEM_DETAILS_SCHEMA } from './problem-details.schema';
import { collectRouteFacts, MULTIPART_BODY, operationIdOf, type MultipartBody, type RouteFacts } from './route-facts';

/** How a service describes itself in its OpenAPI document. */
export interface ApiDocsDefinition {
  title?: string;
  description?: string;
  /**
   * Guards of the service's own that authenticate, and what they accept: alternatives, each a
   * list of schemes that must all be present (e.g. a signature header and its timestamp).
   */
  securityOf?: [Type, string[][]][];
  /** Security schemes of the service's own, beside the shared bearer schemes. */
  securitySchemes?: Record<string, Record<string, unknown>>;
}

export const SECURITY_SCHEMES = {
  accessToken: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'An ES256 access token from `POST /v1/auth/login` or `POST /v1/auth/token`, verified with auth\'s JWKS.',
  },
  apiKey: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'ck_live_…',
    description: 'An API key from `POST /v1/auth/api-keys` (`ck_live_` and 32–128 base62 characters), with the scopes it was created with.',
  },
} as const;

const PROBLEM_REF = { $ref: '#/components/schemas/ProblemDetails' };
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/** `@Body(new JoiPipe(…))` is read by itself; a body validated inside the handler names its schema with this. */
export const ApiJoiBody = (schema: Schema, example?: unknown) =>
  ApiBody({ schema: { ...joiToJsonSchema(schema), ...(example === undefined ? {} : { examples: [example] }) } as object });

/** A route that also takes its body as `multipart/form-data` (e.g. with a file) documents that form with this. */
export const ApiMultipartBody = (body: MultipartBody) => SetMetadata(MULTIPART_BODY, body);

/**
 * The service's OpenAPI 3.1 document, built from its controllers: routes by `@nestjs/swagger`,
 * request bodies, queries and path parameters from the joi schemas their pipes validate with,
 * security from their guards, and every error as the one `ProblemDetails` schema.
 */
export function buildOpenApiDocument(app: INestApplication, service: string, docs: ApiDocsDefinition = {}): OpenAPIObject {
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle(docs.title ?? `Conveyor ${service}`)
    .setDescription(docs.description ?? `The HTTP API of Conveyor's ${service} service.`)
    .setVersion('1.0.0')
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controller, method) => operationIdOf(controller, method),
  });
  const facts = collectRouteFacts(app.get(ModulesContainer));
  const guardSchemes = new Map<Type, string[][]>([[AccessTokenGuard, [['accessToken']]], ...(docs.securityOf ?? [])]);
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      describeOperation(operation as unknown as Operation, path, facts.get(operation.operationId ?? ''), guardSchemes);
    }
  }
  const used = new Set(
    Object.values(document.paths).flatMap((item) =>
      METHODS.flatMap((m) => (item[m]?.security ?? []).flatMap((requirement) => Object.keys(requirement))),
    ),
  );
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, ProblemDetails: PROBLEM_DETAILS_SCHEMA as object },
    securitySchemes: Object.fromEntries(
      Object.entries({ ...SECURITY_SCHEMES, ...docs.securitySchemes }).filter(([name]) => used.has(name)),
    ) as never,
  };
  return document;
}

interface Operation {
  operationId?: string;
  tags?: string[];
  parameters?: { name: string; in: string; required?: boolean; schema?: JsonSchema; description?: string }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema; encoding?: MultipartBody['encoding'] }>; required?: boolean };
  responses: Record<string, { description: string; content?: Record<string, unknown> }>;
  security?: Record<string, string[]>[];
}

function describeOperation(op: Operation, path: string, facts: RouteFacts | undefined, guardSchemes: Map<Type, string[][]>) {
  const guards = facts?.guards ?? [];
  const schemes = guards.flatMap((guard) => guardSchemes.get(guard) ?? []);
  // An empty list says so explicitly: the route takes no credential.
  op.security = schemes.map((all) => Object.fromEntries(all.map((scheme) => [scheme, []])));

  if (facts?.body) {
    op.requestBody = { required: true, content: { 'application/json': { schema: joiToJsonSchema(facts.body) } } };
  }
  if (facts?.multipart) {
    op.requestBody ??= { required: true };
    op.requestBody.content = { ...op.requestBody.content, 'multipart/form-data': facts.multipart };
  }
  // Reflected `@Query()`/`@Param()` objects become one parameter per field of their joi schema.
  const parameters = (op.parameters ?? []).filter(
    (p) => !((p.in === 'query' && facts?.query) || (p.in === 'path' && facts?.params)),
  );
  parameters.push(...parametersOf(facts?.query, 'query'), ...parametersOf(facts?.params, 'path'));
  for (const name of [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string)) {
    if (!parameters.some((p) => p.in === 'path' && p.name === name)) {
      parameters.push({ name, in: 'path', required: true, schema: { type: 'string' } });
    }
  }
  op.parameters = parameters;

  const problem = (description: string) => ({
    description,
    content: { 'application/problem+json': { schema: PROBLEM_REF } },
  });
  if (op.requestBody || facts?.query || facts?.params) op.responses['400'] ??= problem('The request is invalid (`REQUEST.INVALID`, naming the fields).');
  if (schemes.length) {
    op.responses['401'] ??= problem('No valid credential (`AUTH.UNAUTHENTICATED`).');
    op.responses['403'] ??= problem(
      guards.includes(AdminRoleGuard) ? 'The caller is not an administrator (`AUTH.FORBIDDEN`).' : 'The credential lacks what the route needs.',
    );
  }
  // Swagger adds the route's default status with no description; an explicit answer replaces it.
  const described = Object.keys(op.responses).some((status) => status.startsWith('2') && op.responses[status]?.description);
  for (const [status, response] of Object.entries(op.responses)) {
    if (status.startsWith('2') && !response.description && described) delete op.responses[status];
    else if (!response.description) response.description = 'Success.';
  }
  op.tags = [tagOf(path)];
  op.responses['default'] ??= problem('Any other error, as an RFC 9457 problem document with a stable `code`.');
  for (const [status, response] of Object.entries(op.responses)) {
    if (Number(status) >= 400 && !response.content) response.content = problem(response.description).content;
  }
}

/** Routes are grouped by what follows the version: `/v1/jobs/{id}` is under `jobs`. */
function tagOf(path: string): string {
  const [first, second] = path.split('/').filter(Boolean);
  return (first === 'v1' ? second : first)?.replace(/^\./, '') ?? 'root';
}

function parametersOf(schema: Schema | undefined, where: 'query' | 'path') {
  if (!schema) return [];
  const json = joiToJsonSchema(schema);
  const properties = (json['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json['required'] as string[] | undefined) ?? []);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    schema: property,
  }));
}
