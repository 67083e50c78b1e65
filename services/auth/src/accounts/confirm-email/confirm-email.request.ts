import Joi from 'joi';

export interface TokenRequest {
  token: string;
}

export const confirmEmailRequest = Joi.object<TokenRequest>({ token: Joi.string().max(200).required() }).required();
