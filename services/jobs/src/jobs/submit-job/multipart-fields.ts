import { RequestValidationError } from '@conveyor/platform';

/** The parts of a multipart submission that hold JSON (the others are plain strings). */
const JSON_FIELDS = ['input', 'metadata'];

/**
 * A multipart submission as the JSON body it stands for: `type` and `webhookUrl` are text,
 * `input` and `metadata` are JSON text. Validation then runs as for a JSON body.
 */
export function bodyOfMultipart(fields: unknown): Record<string, unknown> {
  const body: Record<string, unknown> = { ...(fields as Record<string, unknown>) };
  for (const field of JSON_FIELDS) {
    const text = body[field];
    if (typeof text !== 'string') continue;
    try {
      body[field] = JSON.parse(text) as unknown;
    } catch {
      throw new RequestValidationError([{ field, message: `"${field}" must be JSON text` }]);
    }
  }
  return body;
}
