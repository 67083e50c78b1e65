import Joi from 'joi';

export interface RefreshSessionRequest {
  /** Absent when the token travels in the cookie. */
  refreshToken?: string;
  refreshTokenCookie?: boolean;
}

export const refreshSessionRequest = Joi.object<RefreshSessionRequest>({
  refreshToken: Joi.string().max(200),
  refreshTokenCookie: Joi.boolean(),
}).default({});
