import Joi from 'joi';

export interface GrantCreditsRequest {
  credits: number;
  note?: string;
}

export const grantCreditsRequest = Joi.object<GrantCreditsRequest>({
  credits: Joi.number().integer().strict().min(1).max(1_000_000).required(),
  note: Joi.string().trim().min(1).max(500),
}).required();
