import Joi from 'joi';

export interface RotateSecretRequest {
  /** How long the previous secret keeps signing beside the new one (0: it stops at once). */
  graceSeconds?: number;
}

export const rotateSecretRequest = Joi.object<RotateSecretRequest>({
  graceSeconds: Joi.number().integer().strict().min(0).max(7 * 86_400),
})
  .default({})
  .required();
