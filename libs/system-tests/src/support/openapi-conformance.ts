import SwaggerParser from '@apidevtools/swagger-parser';
import type { HttpExchange } from '@conveyor/client';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';

type Schema = Record<string, unknown>;

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}

interface MediaType {
  schema?: Schema;
  example?: unknown;
  examples?: Record<string, { value?: unknown }>;
}

interface Operation {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, MediaType> };
  responses?: Record<string, { content?: Record<string, MediaType> }>;
  security?: Record<string, string[]>[];
}

interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
}

/** One service's served document, with every `$ref` resolved. */
export interface ServedDocument {
  service: string;
  baseUrl: string;
  document: OpenApiDocument;
}

/** Fetches `/docs/openapi.json` of each service and resolves its references. */
export async function fetchOpenApiDocuments(baseUrls: Record<string, string>): Promise<ServedDocument[]> {
  return Promise.all(
    Object.entries(baseUrls).map(async ([service, baseUrl]) => {
      const response = await fetch(`${baseUrl}/docs/openapi.json`);
      if (!response.ok) throw new Error(`${service}: GET /docs/openapi.json answered ${response.status}`);
      const document = (await SwaggerParser.dereference((await response.json()) as never)) as unknown as OpenApiDocument;
      return { service, baseUrl, document };
    }),
  );
}

/** Where an exchange landed in the documents: `POST /v1/jobs/{id}/cancel` of jobs. */
export interface MatchedOperation {
  service: string;
  /** `METHOD /path/{template}` */
  operation: string;
}

/**
 * Checks recorded SDK traffic against the OpenAPI documents the services serve: that each
 * request is a documented operation, sends what it documents (path and query parameters,
 * required headers, the JSON or multipart body, an accepted credential), and that each answer's
 * status is documented and its body fits the documented schema.
 */
export class OpenApiConformance {
  private readonly validator = new AjvJsonSchemaValidator();
  private readonly compiled = new Map<Schema, ReturnType<AjvJsonSchemaValidator['getValidator']>>();

  constructor(private readonly documents: ServedDocument[]) {}

  match(exchange: Pick<HttpExchange, 'method' | 'url'>): (MatchedOperation & { op: Operation; params: Record<string, string> }) | undefined {
    const served = this.documents.find((d) => exchange.url.startsWith(`${d.baseUrl}/`));
    if (!served) return undefined;
    const path = new URL(exchange.url).pathname;
    // Literal segments win over parameters: `/v1/jobs/events` is not `/v1/jobs/{id}`.
    const templates = Object.keys(served.document.paths).sort((a, b) => paramCount(a) - paramCount(b));
    for (const template of templates) {
      const pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, '(?<$1>[^/]+)')}$`);
      const found = pattern.exec(path);
      if (!found) continue;
      const op = served.document.paths[template]?.[exchange.method.toLowerCase()];
      if (!op) continue;
      const params = Object.fromEntries(Object.entries(found.groups ?? {}).map(([name, value]) => [name, decodeURIComponent(value)]));
      return { service: served.service, operation: `${exchange.method} ${template}`, op, params };
    }
    return undefined;
  }

  /** What does not fit the documents; empty when the exchange does. */
  check(exchange: HttpExchange): string[] {
    const matched = this.match(exchange);
    const where = `${exchange.method} ${new URL(exchange.url).pathname}`;
    if (!matched) return [`${where}: no such operation in the documents`];
    const { op, operation } = matched;
    const problems: string[] = [];
    const say = (message: string) => problems.push(`${operation} (${exchange.status}): ${message}`);
    const parameters = op.parameters ?? [];

    for (const parameter of parameters.filter((p) => p.in === 'path')) {
      this.validate(coerce(matched.params[parameter.name], parameter.schema), parameter.schema, `path parameter ${parameter.name}`, say);
    }
    const query = new URL(exchange.url).searchParams;
    for (const [name, value] of query) {
      const parameter = parameters.find((p) => p.in === 'query' && p.name === name);
      if (!parameter) say(`query parameter ${name} is not documented`);
      else this.validate(coerce(value, parameter.schema), parameter.schema, `query parameter ${name}`, say);
    }
    for (const parameter of parameters.filter((p) => p.required && p.in === 'query' && !query.has(p.name))) {
      say(`required query parameter ${parameter.name} is missing`);
    }
    for (const parameter of parameters.filter((p) => p.in === 'header')) {
      const value = exchange.requestHeaders[parameter.name.toLowerCase()];
      if (value === undefined) {
        if (parameter.required) say(`required header ${parameter.name} is missing`);
      } else this.validate(value, parameter.schema, `header ${parameter.name}`, say);
    }

    this.checkRequestBody(exchange, op, say);
    this.checkCredential(exchange, op, say);
    this.checkResponse(exchange, op, say);
    return problems;
  }

  private checkRequestBody(exchange: HttpExchange, op: Operation, say: (message: string) => void): void {
    const content = op.requestBody?.content ?? {};
    if (exchange.requestBody === undefined) {
      if (op.requestBody?.required) say('the documented request body is required but none was sent');
      return;
    }
    if (exchange.requestBody instanceof FormData) {
      const media = content['multipart/form-data'];
      if (!media) return say('sends multipart/form-data, which the operation does not document');
      const fields = Object.fromEntries([...exchange.requestBody.entries()].map(([name, value]) => [name, typeof value === 'string' ? value : '(binary)']));
      return this.validate(fields, media.schema, 'the multipart body', say);
    }
    const body: unknown = JSON.parse(JSON.stringify(exchange.requestBody));
    const media = content['application/json'];
    if (!media) {
      // An empty object to a route that reads no body is harmless (the SDK sends `{}` with its POSTs).
      if (!isEmptyObject(body)) say('sends a JSON body, which the operation does not document');
      return;
    }
    this.validate(body, media.schema, 'the request body', say);
  }

  private checkCredential(exchange: HttpExchange, op: Operation, say: (message: string) => void): void {
    const schemes = (op.security ?? []).map((requirement) => Object.keys(requirement));
    const open = schemes.length === 0 || schemes.some((all) => all.length === 0);
    if (exchange.credential === 'none') {
      if (!open) say(`sends no credential, but the operation needs ${schemes.map((s) => s.join('+')).join(' or ')}`);
    } else if (!schemes.some((all) => all.includes(exchange.credential))) {
      say(`sends ${exchange.credential}, which the operation does not accept (${schemes.map((s) => s.join('+')).join(' or ') || 'none'})`);
    }
  }

  private checkResponse(exchange: HttpExchange, op: Operation, say: (message: string) => void): void {
    const responses = op.responses ?? {};
    const status = String(exchange.status);
    const response = responses[status] ?? responses[`${status[0]}XX`] ?? (exchange.status >= 400 ? responses['default'] : undefined);
    if (!response) return say(`the answer's status is not documented (documented: ${Object.keys(responses).join(', ')})`);
    if (exchange.responseBody === undefined) return;
    const contentType = (exchange.responseHeaders.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
    const media = response.content?.[contentType];
    if (!media) {
      if (response.content && Object.keys(response.content).length) say(`answers ${contentType}, documented are ${Object.keys(response.content).join(', ')}`);
      return;
    }
    if (media.schema) this.validate(exchange.responseBody, media.schema, 'the answer', say);
    const example = media.example ?? Object.values(media.examples ?? {})[0]?.value;
    // An example may leave fields out, but every field it shows must be in the real answer.
    if (isPlainObject(example) && isPlainObject(exchange.responseBody)) {
      const missing = Object.keys(example).filter((field) => !(field in (exchange.responseBody as object)));
      if (missing.length) say(`the answer lacks fields of the documented example: ${missing.join(', ')}`);
    }
  }

  private validate(value: unknown, schema: Schema | undefined, what: string, say: (message: string) => void): void {
    if (!schema) return;
    let validate = this.compiled.get(schema);
    if (!validate) {
      validate = this.validator.getValidator(schema as never);
      this.compiled.set(schema, validate);
    }
    const result = validate(value);
    if (!result.valid) say(`${what} does not fit its schema: ${result.errorMessage} (${JSON.stringify(value)?.slice(0, 300)})`);
  }
}

const paramCount = (template: string) => (template.match(/\{/g) ?? []).length;
const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isEmptyObject = (value: unknown) => isPlainObject(value) && Object.keys(value).length === 0;

/** Path and query values travel as text: read them as their schema's type before validating. */
function coerce(value: string | undefined, schema: Schema | undefined): unknown {
  const type = schema?.['type'];
  if (value === undefined) return value;
  if ((type === 'integer' || type === 'number') && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}
