import { isUuid } from '@conveyor/contracts';
import Joi from 'joi';

export type VendorCallbackRequest =
  | { jobId: string; status: 'succeeded'; result?: unknown }
  | { jobId: string; status: 'failed'; error: { message: string } };

/** What an `async` vendor posts when it has finished a job: the result, or why it failed. */
export const vendorCallbackRequest = Joi.object({
  jobId: Joi.string()
    .required()
    .custom((value: string, helpers) => (isUuid(value) ? value : helpers.error('string.guid'))),
  status: Joi.string().valid('succeeded', 'failed').required(),
  result: Joi.any().when('status', { is: 'succeeded', otherwise: Joi.forbidden() }),
  error: Joi.object({ message: Joi.string().min(1).max(1000).required() }).when('status', {
    is: 'failed',
    then: Joi.required(),
    otherwise: Joi.forbidden(),
  }),
})
  .required()
  .prefs({ convert: false });
