import Joi from 'joi';
import { SUBSCRIBABLE_EVENTS } from '../subscribable-events';

export interface CreateEndpointRequest {
  url: string;
  eventTypes?: string[];
  description?: string;
  rateLimitPerSecond?: number;
  ordered?: boolean;
}

export interface UpdateEndpointRequest extends Partial<CreateEndpointRequest> {
  /** `true` enables an endpoint that was disabled (by its owner, by 410 or by failing); `false` disables it. */
  enabled?: boolean;
}

const fields = {
  url: Joi.string().trim().max(2048),
  eventTypes: Joi.array()
    .items(Joi.string().valid(...SUBSCRIBABLE_EVENTS))
    .min(1)
    .max(SUBSCRIBABLE_EVENTS.length)
    .unique(),
  description: Joi.string().trim().max(500).allow(''),
  rateLimitPerSecond: Joi.number().integer().strict().min(1).max(10_000),
  ordered: Joi.boolean().strict(),
};

export const createEndpointRequest = Joi.object<CreateEndpointRequest>({ ...fields, url: fields.url.required() }).required();

export const updateEndpointRequest = Joi.object<UpdateEndpointRequest>({
  ...fields,
  eventTypes: fields.eventTypes.allow(null),
  rateLimitPerSecond: fields.rateLimitPerSecond.allow(null),
  enabled: Joi.boolean().strict(),
})
  .min(1)
  .required();
