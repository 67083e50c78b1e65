import Joi from 'joi';
import { API_KEY_SCOPES, type ApiKeyScope } from '../api-key.rules';

export interface CreateApiKeyRequest {
  name: string;
  scopes: ApiKeyScope[];
}

/** Scopes default to all of them, and are kept in one canonical order whatever order was sent. */
export const createApiKeyRequest = Joi.object<CreateApiKeyRequest>({
  name: Joi.string().trim().min(1).max(100).required(),
  scopes: Joi.array()
    .items(Joi.string().valid(...API_KEY_SCOPES))
    .min(1)
    .unique()
    .default([...API_KEY_SCOPES])
    .custom((scopes: ApiKeyScope[]) => API_KEY_SCOPES.filter((scope) => scopes.includes(scope))),
}).required();
