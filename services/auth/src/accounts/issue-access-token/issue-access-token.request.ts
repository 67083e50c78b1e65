import Joi from 'joi';
import { emailField } from '../email.field';

export interface IssueAccessTokenRequest {
  email: string;
  password: string;
  /** Browser clients: put the refresh token in an httpOnly cookie instead of the body. */
  refreshTokenCookie?: boolean;
}

export const issueAccessTokenRequest = Joi.object<IssueAccessTokenRequest>({
  email: emailField.required(),
  password: Joi.string().min(1).max(1024).required(),
  refreshTokenCookie: Joi.boolean(),
}).required();
