import { RequestValidationError } from '@conveyor/platform';
import Joi from 'joi';

export interface RequestTopUpRequest {
  credits: number;
}

export const requestTopUpRequest = Joi.object<RequestTopUpRequest>({
  credits: Joi.number().integer().strict().min(1).max(100_000).required(),
}).required();

/** Visible ASCII, as the IETF Idempotency-Key draft and common providers allow. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** The required `Idempotency-Key` header, checked. */
export function idempotencyKeyOf(header: string | undefined): string {
  if (header === undefined || header === '') {
    throw new RequestValidationError([{ field: 'Idempotency-Key', message: 'header is required' }]);
  }
  if (!IDEMPOTENCY_KEY.test(header)) {
    throw new RequestValidationError([
      { field: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' },
    ]);
  }
  return header;
}
