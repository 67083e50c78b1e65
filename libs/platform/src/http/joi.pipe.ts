import { Injectable, PipeTransform } from '@nestjs/common';
import type { Schema } from 'joi';
import { RequestValidationError } from '../errors/app-error';

/**
 * Validates and normalises a body, query or parameter against a joi schema. Unknown fields
 * are refused, so a typo in a field name is an error rather than silently ignored.
 */
@Injectable()
export class JoiPipe<T> implements PipeTransform<unknown, T> {
  /** Public so that the API document can describe what is validated. */
  constructor(readonly schema: Schema<T>) {}

  transform(value: unknown): T {
    const unstorable = findUnstorableText(value);
    if (unstorable) {
      throw new RequestValidationError([
        { field: unstorable || '(body)', message: 'contains a NUL character or an unpaired UTF-16 surrogate' },
      ]);
    }
    const { value: parsed, error } = this.schema.validate(value ?? {}, {
      abortEarly: false,
      convert: true,
      allowUnknown: false,
      errors: { wrap: { label: false } },
    });
    if (error) {
      throw new RequestValidationError(
        error.details.map((d) => ({ field: d.path.join('.') || '(body)', message: d.message })),
      );
    }
    return parsed;
  }
}

/** NUL, or half of a surrogate pair: valid in JSON strings, but not storable in Postgres text. */
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The path of the first string (key or value) that Postgres could not store, if any. */
function findUnstorableText(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? path || '(body)' : undefined;
  if (!value || typeof value !== 'object') return undefined;
  for (const [key, child] of Object.entries(value)) {
    const childPath = path ? `${path}.${key}` : key;
    if (UNSTORABLE.test(key)) return childPath;
    const found = findUnstorableText(child, childPath);
    if (found) return found;
  }
  return undefined;
}
