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

/**
 * The same submission as `multipart/form-data`, for a job type that takes a file: the fields as
 * text parts (`input` and `metadata` as JSON text) and the file in the part `file`.
 */
export const submitJobMultipartBody = {
  schema: {
    type: 'object',
    required: ['type', 'input'],
    properties: {
      type: { type: 'string', minLength: 1, maxLength: 64, examples: ['image.transform'] },
      input: { type: 'string', contentMediaType: 'application/json', description: 'The job input as JSON text.' },
      webhookUrl: { type: 'string', format: 'uri', maxLength: 2048 },
      metadata: { type: 'string', contentMediaType: 'application/json', description: 'String values by key, as JSON text.' },
      file: { type: 'string', contentMediaType: 'application/octet-stream', description: 'The file the job works on (e.g. a PNG or JPEG).' },
    },
    additionalProperties: false,
  },
  encoding: { input: { contentType: 'application/json' }, metadata: { contentType: 'application/json' } },
};
