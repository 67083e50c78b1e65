import Joi from 'joi';

export interface SubmitJobRequest {
  type: string;
  /** Validated further by the job type's own schema. */
  input: Record<string, unknown>;
  webhookUrl?: string;
  metadata?: Record<string, string>;
}

/**
 * The shape every submission shares. JSON already has types, so nothing is converted: a
 * number sent as a string is an error, not a number.
 */
export const submitJobRequest = Joi.object<SubmitJobRequest>({
  type: Joi.string().min(1).max(64).required(),
  input: Joi.object().required(),
  // Scheme and syntax only; whether the server may call it is the SSRF guard's decision.
  webhookUrl: Joi.string().max(2048).uri({ scheme: ['http', 'https'] }),
  metadata: Joi.object().pattern(Joi.string().min(1).max(40), Joi.string().max(500)).max(20),
})
  .required()
  .prefs({ convert: false });
