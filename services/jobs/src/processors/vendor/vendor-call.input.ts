import Joi from 'joi';
import { VENDOR_NAME } from '../../vendors/vendor-config';

export const VENDOR_CALL_TYPE = 'vendor.call';

export interface VendorCallInput {
  /** A vendor from JOBS_VENDORS. */
  vendor: string;
  /** Any JSON; sent to the vendor as it is. */
  payload: unknown;
}

/** The shape only; whether the vendor exists is checked against the configuration (422). */
export const vendorCallInput = Joi.object<VendorCallInput>({
  vendor: Joi.string().pattern(VENDOR_NAME).required(),
  payload: Joi.any().required(),
});
