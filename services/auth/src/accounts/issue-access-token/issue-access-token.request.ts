import Joi from 'joi';
import { emailField } from '../email.field';

export interface IssueAccessTokenRequest {
  email: string;
  password: string;
}

export const issueAccessTokenRequest = Joi.object<IssueAccessTokenRequest>({
  email: emailField.required(),
  password: Joi.string().min(1).max(1024).required(),
}).required();
