import { AppError } from '@conveyor/platform';
import { isUuid } from '@conveyor/contracts';

/** Also the answer for another client's endpoint and for an id that is not a UUID. */
export class EndpointNotFoundError extends AppError {
  constructor() {
    super('WEBHOOKS.ENDPOINT_NOT_FOUND', 'not_found', 'No webhook endpoint with this id exists for this client.');
  }
}

export function assertEndpointId(id: string): void {
  if (!isUuid(id)) throw new EndpointNotFoundError();
}

export class EndpointUrlRefusedError extends AppError {
  constructor(reason: string) {
    super('WEBHOOKS.ENDPOINT_URL_REFUSED', 'unprocessable', `The endpoint URL is refused: ${reason}.`, { reason });
  }
}

export class EndpointDisabledError extends AppError {
  constructor() {
    super('WEBHOOKS.ENDPOINT_DISABLED', 'conflict', 'The endpoint is disabled; enable it first.');
  }
}

/** The endpoint of a job's own `webhookUrl` follows the jobs; only `enabled` is the client's to change. */
export class JobUrlEndpointFixedError extends AppError {
  constructor() {
    super('WEBHOOKS.JOB_URL_ENDPOINT_FIXED', 'conflict', "This endpoint delivers jobs' own webhookUrl; only `enabled` can be changed.");
  }
}
