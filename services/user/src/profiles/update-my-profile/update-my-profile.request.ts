import Joi from 'joi';

export interface UpdateMyProfileRequest {
  /** null clears the name. */
  name?: string | null;
}

/** At least one field; today the name is the only one a client may change (the email belongs to auth). */
export const updateMyProfileRequest = Joi.object<UpdateMyProfileRequest>({
  name: Joi.string().trim().min(1).max(200).allow(null),
})
  .min(1)
  .required();
