import Joi from 'joi';
import { emailField } from '../email.field';
import { passwordField } from '../password.field';

export interface RegisterAccountRequest {
  email: string;
  password: string;
  name?: string;
}

export const registerAccountRequest = Joi.object<RegisterAccountRequest>({
  email: emailField.required(),
  password: passwordField.required(),
  name: Joi.string().trim().min(1).max(200),
}).required();
