import Joi from 'joi';

export interface BulkReplayRequest {
  /** Messages created at or after this time. */
  since: Date;
  /** …and before this one (default: now). */
  until?: Date;
  endpointId?: string;
  /** Count what would be replayed, send nothing. */
  dryRun?: boolean;
  /** Admin route only: one client's messages. */
  userId?: string;
}

export const bulkReplayRequest = Joi.object<BulkReplayRequest>({
  since: Joi.date().iso().required(),
  until: Joi.date().iso().greater(Joi.ref('since')),
  endpointId: Joi.string().uuid(),
  dryRun: Joi.boolean().strict(),
}).required();

export const adminBulkReplayRequest = bulkReplayRequest.keys({ userId: Joi.string().uuid() });
