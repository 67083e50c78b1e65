import Joi from 'joi';
import { JOB_STATUSES, type JobStatus } from '../job-status';

export interface ListJobsRequest {
  status?: JobStatus;
  type?: string;
  limit: number;
  cursor?: string;
}

export const listJobsRequest = Joi.object<ListJobsRequest>({
  status: Joi.string().valid(...JOB_STATUSES),
  type: Joi.string().min(1).max(64),
  limit: Joi.number().integer().min(1).max(100).default(20),
  cursor: Joi.string().max(512),
});
