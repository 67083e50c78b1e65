import Joi from 'joi';

export interface ListUsersRequest {
  cursor?: string;
  /** Part of the email or name, case-insensitive. */
  q?: string;
  limit: number;
}

export const listUsersRequest = Joi.object<ListUsersRequest>({
  cursor: Joi.string().max(200),
  q: Joi.string().trim().min(1).max(200),
  limit: Joi.number().integer().min(1).max(100).default(50),
});
