import type { Schema } from 'joi';

export type JsonSchema = Record<string, unknown>;

/** The parts of joi's `describe()` output this converter reads. */
interface Description {
  type?: string;
  flags?: { presence?: string; default?: unknown; description?: string; only?: boolean; unknown?: boolean };
  allow?: unknown[];
  examples?: unknown[];
  rules?: { name: string; args?: Record<string, unknown> }[];
  keys?: Record<string, Description>;
  patterns?: { regex?: string; schema?: Description; rule?: Description }[];
  items?: Description[];
  matches?: { schema?: Description; then?: Description; otherwise?: Description }[];
}

/**
 * The JSON Schema (2020-12, as OpenAPI 3.1 uses it) of a joi schema, from `schema.describe()`,
 * so that the API document shows what the JoiPipe actually enforces. Rules with no JSON Schema
 * counterpart (custom validators, references) are left out: the document may then be looser
 * than the validation, never stricter.
 */
export function joiToJsonSchema(schema: Schema): JsonSchema {
  return convert(schema.describe() as Description);
}

function convert(d: Description): JsonSchema {
  const out: JsonSchema = { ...typed(d) };
  const flags = d.flags ?? {};
  if (flags.description) out['description'] = flags.description;
  if (flags.default !== undefined && typeof flags.default !== 'function') out['default'] = flags.default;
  if (d.examples?.length) out['examples'] = d.examples;
  const allowed = (d.allow ?? []).filter((value) => value === null || typeof value !== 'object');
  if (flags.only && allowed.length) return { ...withoutType(out), enum: allowed };
  if (allowed.includes(null)) out['type'] = [out['type'], 'null'].flat().filter(Boolean);
  return out;
}

function withoutType(schema: JsonSchema): JsonSchema {
  const { type: _type, ...rest } = schema;
  return rest;
}

function typed(d: Description): JsonSchema {
  const rules = new Map((d.rules ?? []).map((rule) => [rule.name, rule.args ?? {}]));
  const limit = (name: string) => rules.get(name)?.['limit'] as number | undefined;
  switch (d.type) {
    case 'object':
      return objectSchema(d, rules);
    case 'array': {
      const items = (d.items ?? []).map(convert);
      return compact({
        type: 'array',
        items: items.length === 1 ? items[0] : items.length ? { anyOf: items } : undefined,
        minItems: limit('min') ?? limit('length'),
        maxItems: limit('max') ?? limit('length'),
        uniqueItems: rules.has('unique') || undefined,
      });
    }
    case 'string':
      return compact({
        type: 'string',
        minLength: limit('min') ?? limit('length'),
        maxLength: limit('max') ?? limit('length'),
        pattern: (rules.get('pattern')?.['regex'] as string | undefined)?.replace(/^\/(.*)\/[a-z]*$/s, '$1'),
        format: rules.has('email') ? 'email' : rules.has('uri') ? 'uri' : rules.has('guid') ? 'uuid' : rules.has('isoDate') ? 'date-time' : undefined,
      });
    case 'number':
      return compact({
        type: rules.has('integer') ? 'integer' : 'number',
        minimum: limit('min') ?? (rules.has('positive') ? 1 : undefined),
        maximum: limit('max'),
        exclusiveMinimum: limit('greater'),
        exclusiveMaximum: limit('less'),
      });
    case 'boolean':
      return { type: 'boolean' };
    case 'date':
      return { type: 'string', format: 'date-time' };
    case 'binary':
      return { type: 'string', contentMediaType: 'application/octet-stream' };
    case 'alternatives':
      return { anyOf: (d.matches ?? []).flatMap((m) => [m.schema, m.then, m.otherwise]).filter((s): s is Description => !!s).map(convert) };
    default:
      return {};
  }
}

function objectSchema(d: Description, rules: Map<string, Record<string, unknown>>): JsonSchema {
  const keys = Object.entries(d.keys ?? {});
  const pattern = d.patterns?.[0];
  const count = (name: string) => rules.get(name)?.['limit'] as number | undefined;
  return compact({
    type: 'object',
    properties: keys.length ? Object.fromEntries(keys.map(([key, child]) => [key, convert(child)])) : undefined,
    required: keys.filter(([, child]) => child.flags?.presence === 'required').map(([key]) => key),
    additionalProperties: pattern?.rule ? convert(pattern.rule) : d.keys && !d.flags?.unknown ? false : undefined,
    propertyNames: pattern?.schema ? convert(pattern.schema) : undefined,
    minProperties: count('min'),
    maxProperties: count('max'),
  });
}

function compact(schema: JsonSchema): JsonSchema {
  return Object.fromEntries(
    Object.entries(schema).filter(([, value]) => value !== undefined && !(Array.isArray(value) && value.length === 0)),
  );
}
