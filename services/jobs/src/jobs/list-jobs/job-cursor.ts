import Joi from 'joi';
import { InvalidCursorError } from '../jobs.errors';

/**
 * Where a page ended: the last job's `created_at` (to the microsecond, as Postgres keeps it)
 * and its id. Opaque to clients: base64url of a small JSON object.
 */
export interface JobCursor {
  createdAt: string;
  id: string;
}

const cursorSchema = Joi.object<{ c: string; i: string }>({
  c: Joi.string()
    .pattern(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/)
    .required(),
  i: Joi.string().guid().required(),
}).required();

export function encodeCursor({ createdAt, id }: JobCursor): string {
  return Buffer.from(JSON.stringify({ c: createdAt, i: id })).toString('base64url');
}

export function decodeCursor(cursor: string): JobCursor {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  const { value, error } = cursorSchema.validate(decoded, { convert: false });
  if (error || Number.isNaN(Date.parse(value.c))) throw new InvalidCursorError();
  return { createdAt: value.c, id: value.i };
}
