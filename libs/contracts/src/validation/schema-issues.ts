import { type ValueError, ValueErrorType } from '@sinclair/typebox/errors';

/** Errors that only say "this is the wrong kind of value"; in a union they mark a variant that does not apply. */
const KIND_MISMATCH = new Set([
  ValueErrorType.String,
  ValueErrorType.Null,
  ValueErrorType.Number,
  ValueErrorType.Integer,
  ValueErrorType.Boolean,
  ValueErrorType.Object,
  ValueErrorType.Array,
  ValueErrorType.Literal,
]);

const REQUIRED = 'is required';

interface Issue {
  path: string;
  text: string;
}

/**
 * Turns TypeBox errors into one readable line per problem (`/data/email: must match format
 * email`), with `prefix` prepended to each path so data errors point into the envelope.
 */
export function describeIssues(errors: Iterable<ValueError>, prefix = ''): string[] {
  const issues = collect(errors, prefix);
  // TypeBox also reports a missing property as being of the wrong type; "is required" says it all.
  const missing = new Set(issues.filter((i) => i.text === REQUIRED).map((i) => i.path));
  const lines = issues
    .filter((i) => i.text === REQUIRED || !missing.has(i.path))
    .map((i) => `${i.path}: ${i.text}`);
  return [...new Set(lines)];
}

function collect(errors: Iterable<ValueError>, prefix: string): Issue[] {
  const issues: Issue[] = [];
  for (const error of errors) issues.push(...describe(error, prefix));
  return issues;
}

function describe(error: ValueError, prefix: string): Issue[] {
  const path = `${prefix}${error.path}` || '/';
  if (error.type === ValueErrorType.Union) {
    const attempts = error.errors.map((iterator) => [...iterator]);
    // Report the variant of the right kind (e.g. the string branch of `string | null`) so
    // the message says what is wrong with the value rather than listing every branch.
    const closest = attempts.find(
      (list) => list.length > 0 && !list.some((e) => e.path === error.path && KIND_MISMATCH.has(e.type)),
    );
    if (closest) return collect(closest, prefix);
    const kinds = (error.schema.anyOf as { type?: string; const?: unknown }[]).map(
      (variant) => variant.type ?? JSON.stringify(variant.const),
    );
    return [{ path, text: `must be ${kinds.join(' or ')}` }];
  }
  return [{ path, text: phrase(error) }];
}

function phrase(error: ValueError): string {
  const schema = error.schema;
  switch (error.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return REQUIRED;
    case ValueErrorType.ObjectAdditionalProperties:
      return 'is not allowed';
    case ValueErrorType.StringFormat:
      return `must match format ${schema.format}`;
    case ValueErrorType.StringPattern:
      return `must match pattern ${schema.pattern}`;
    case ValueErrorType.StringMinLength:
      return schema.minLength === 1 ? 'must not be empty' : `must be at least ${schema.minLength} characters`;
    case ValueErrorType.StringMaxLength:
      return `must be at most ${schema.maxLength} characters`;
    case ValueErrorType.Literal:
      return `must be ${JSON.stringify(schema.const)}`;
    case ValueErrorType.String:
      return 'must be a string';
    case ValueErrorType.Object:
      return 'must be an object';
    case ValueErrorType.Null:
      return 'must be null';
    default:
      return error.message;
  }
}
