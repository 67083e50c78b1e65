import Joi from 'joi';

/** `failed`: a delivery of the message is exhausted (the dead-letter state). */
export type MessageStatusFilter = 'pending' | 'succeeded' | 'failed';

export interface ListMessagesRequest {
  status?: MessageStatusFilter;
  limit: number;
  cursor?: string;
  /** Admin routes only: one client's messages. */
  userId?: string;
}

export const listMessagesRequest = Joi.object<ListMessagesRequest>({
  status: Joi.string().valid('pending', 'succeeded', 'failed'),
  limit: Joi.number().integer().min(1).max(100).default(20),
  cursor: Joi.string().max(200),
});

export const adminListMessagesRequest = listMessagesRequest.keys({ userId: Joi.string().uuid() });
