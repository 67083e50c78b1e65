import Joi from 'joi';

export interface ListLedgerRequest {
  limit: number;
  cursor?: string;
}

export const listLedgerRequest = Joi.object<ListLedgerRequest>({
  limit: Joi.number().integer().min(1).max(100).default(20),
  cursor: Joi.string().max(200),
});
