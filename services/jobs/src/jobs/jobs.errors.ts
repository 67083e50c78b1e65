import { AppError } from '@conveyor/platform';
import type { JobStatus } from './job-status';
import { isUuid } from '@conveyor/contracts';

/** Also the answer for another client's job and for an id that is not a UUID. */
export class JobNotFoundError extends AppError {
  constructor() {
    super('JOBS.JOB_NOT_FOUND', 'not_found', 'No job with this id exists for this client.');
  }
}


/** An id that cannot name a job is answered like any unknown id (and never reaches Postgres). */
export function assertJobId(id: string): void {
  if (!isUuid(id)) throw new JobNotFoundError();
}

export class UnknownJobTypeError extends AppError {
  constructor(type: string, knownTypes: readonly string[]) {
    super('JOBS.UNKNOWN_TYPE', 'unprocessable', `There is no job type ${JSON.stringify(type)}.`, { knownTypes });
  }
}

export class UploadNotAcceptedError extends AppError {
  constructor(type: string) {
    super('JOBS.UPLOAD_NOT_ACCEPTED', 'unprocessable', `Jobs of type ${JSON.stringify(type)} do not take an uploaded file.`);
  }
}

export class WebhookUrlRefusedError extends AppError {
  constructor(reason: string) {
    super('JOBS.WEBHOOK_URL_REFUSED', 'unprocessable', `The webhook URL is refused: ${reason}.`, { reason });
  }
}

export class IdempotencyKeyReusedError extends AppError {
  constructor() {
    super('JOBS.IDEMPOTENCY_KEY_REUSED', 'unprocessable', 'This Idempotency-Key was already used with a different request body.');
  }
}

export class InvalidIdempotencyKeyError extends AppError {
  constructor() {
    super('JOBS.INVALID_IDEMPOTENCY_KEY', 'invalid', 'An Idempotency-Key must be 1 to 255 printable ASCII characters.');
  }
}

export class IdempotencyKeyInFlightError extends AppError {
  constructor() {
    super(
      'JOBS.IDEMPOTENCY_KEY_IN_FLIGHT',
      'conflict',
      'A request with this Idempotency-Key is still being processed; retry shortly.',
    );
  }
}

export class JobNotCancelableError extends AppError {
  constructor(status: JobStatus) {
    super('JOBS.NOT_CANCELABLE', 'conflict', `A ${status} job cannot be canceled.`, { status });
  }
}

export class InvalidCursorError extends AppError {
  constructor() {
    super('JOBS.INVALID_CURSOR', 'invalid', 'The cursor is not one this API returned.');
  }
}

export class InvalidLastEventIdError extends AppError {
  constructor() {
    super('JOBS.INVALID_LAST_EVENT_ID', 'invalid', 'Last-Event-ID must be an event id this stream sent.');
  }
}
