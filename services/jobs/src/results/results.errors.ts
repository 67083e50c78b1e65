import { AppError } from '@conveyor/platform';

export class ResultNotReadyError extends AppError {
  constructor(status: string) {
    super('JOBS.RESULT_NOT_READY', 'conflict', `A ${status} job has no result.`, { status });
  }
}

/** Also the answer for a link to a job that does not exist: a forged link learns nothing. */
export class ResultLinkInvalidError extends AppError {
  constructor() {
    super('JOBS.RESULT_LINK_INVALID', 'forbidden', 'This download link is not valid.');
  }
}

export class ResultLinkExpiredError extends AppError {
  constructor() {
    super('JOBS.RESULT_LINK_EXPIRED', 'forbidden', 'This download link has expired; get a new one from the job.');
  }
}

/** A file result whose file is gone (it should not happen: both are written in one transaction). */
export class ResultFileMissingError extends AppError {
  constructor() {
    super('JOBS.RESULT_NOT_FOUND', 'not_found', 'The result file of this job is not stored.');
  }
}
