import Joi from 'joi';

export interface ChangePlanRequest {
  plan: string;
}

export const changePlanRequest = Joi.object<ChangePlanRequest>({
  plan: Joi.string().pattern(/^[a-z][a-z0-9_-]{0,31}$/).required(),
}).required();
