/**
 * What kind of failure an error is, independent of transport. The HTTP edge maps kinds to
 * status codes; business code never picks a status itself.
 */
export type ErrorKind =
  | 'invalid'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  /** Well-formed, but refused by a rule (an unknown job type, a reused idempotency key). */
  | 'unprocessable'
  | 'rate_limited';

/** A failure the client can act on, with a stable code such as `AUTH.EMAIL_TAKEN`. */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly kind: ErrorKind,
    message: string,
    /** Extra members for the problem document, e.g. field errors. */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A request body, query or parameter that does not fit its schema. */
export class RequestValidationError extends AppError {
  constructor(errors: { field: string; message: string }[]) {
    super('REQUEST.INVALID', 'invalid', 'The request is not valid.', { errors });
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = 'A valid access token is required.') {
    super('AUTH.UNAUTHENTICATED', 'unauthorized', message);
  }
}

/**
 * Too many requests: a 429 whose `Retry-After` (seconds) says when to try again. `headers` adds
 * more response headers, e.g. the `RateLimit` fields.
 */
export class RateLimitedError extends AppError {
  constructor(
    code: string,
    message: string,
    readonly retryAfterSeconds: number,
    readonly headers: Record<string, string> = {},
  ) {
    super(code, 'rate_limited', message, { retryAfter: retryAfterSeconds });
  }
}
