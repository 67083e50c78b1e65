import Joi from 'joi';
import { emailField } from '../email';

export interface LoginRequest {
  email: string;
  password: string;
}

export const loginRequest = Joi.object<LoginRequest>({
  email: emailField.required(),
  password: Joi.string().min(1).max(1024).required(),
}).required();
