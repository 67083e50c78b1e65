import { AppError } from '@conveyor/platform';
import { isUuid } from '@conveyor/contracts';

/** Also the answer for another client's message and for an id that is not a UUID. */
export class MessageNotFoundError extends AppError {
  constructor() {
    super('WEBHOOKS.MESSAGE_NOT_FOUND', 'not_found', 'No webhook message with this id exists for this client.');
  }
}

export function assertMessageId(id: string): void {
  if (!isUuid(id)) throw new MessageNotFoundError();
}

export class InvalidCursorError extends AppError {
  constructor() {
    super('WEBHOOKS.INVALID_CURSOR', 'invalid', 'The cursor is not one this API returned.');
  }
}
