import Joi from 'joi';

export interface AccountParams {
  userId: string;
}

/** The route parameters of an admin route on one account: `:userId`, a UUID, lower-cased. */
export const accountParams = Joi.object<AccountParams>({
  userId: Joi.string().guid().lowercase().required(),
});
