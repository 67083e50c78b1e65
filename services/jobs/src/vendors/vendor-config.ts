import Joi from 'joi';

export type VendorMode = 'sync' | 'async';

/** One third-party vendor the `vendor.call` job type may call, as the operator configured it. */
export interface VendorConfig {
  /** Where requests go: the job's payload is POSTed to this URL. */
  baseUrl: string;
  /** `sync`: the response is the result. `async`: the vendor acknowledges, then calls back. */
  mode: VendorMode;
  /** Sent with every request to the vendor, e.g. `{ name: 'Authorization', value: 'Bearer …' }`. */
  authHeader?: { name: string; value: string };
  /** Shared with the vendor: signs our requests and verifies its callbacks. Required for `async`. */
  secret?: string;
  /** Limit of one HTTP exchange with the vendor. */
  timeoutMs: number;
  /** `async` only: how long a job waits for the vendor's callback after it acknowledged. */
  callbackTimeoutMs: number;
  /** At most `requests` calls in any `intervalMs`, across every instance of the service. */
  rateLimit: { requests: number; intervalMs: number };
}

/** Vendors by name. */
export type Vendors = Readonly<Record<string, VendorConfig>>;

export const VENDOR_NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/;

/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Visible ASCII and spaces: no CR or LF that could split the request. */
const HEADER_VALUE = /^[\x20-\x7e]+$/;

/** Joi's object type that also accepts its JSON text, as an environment variable holds it. */
const JsonJoi = Joi.extend({
  type: 'jsonObject',
  base: Joi.object(),
  coerce: {
    from: 'string',
    method(value: string) {
      try {
        return { value: JSON.parse(value) };
      } catch {
        return { value };
      }
    },
  },
}) as typeof Joi & { jsonObject(): Joi.ObjectSchema };

// Messages never echo a value: secrets and auth headers live in this variable.
const vendorSchema = Joi.object<VendorConfig>({
  baseUrl: Joi.string()
    .max(2048)
    .when('/JOBS_ALLOW_LOOPBACK_VENDORS', {
      is: Joi.boolean().valid(true).required(),
      then: Joi.string().uri({ scheme: ['http', 'https'] }),
      otherwise: Joi.string().uri({ scheme: ['https'] }),
    })
    .required(),
  mode: Joi.string().valid('sync', 'async').required(),
  authHeader: Joi.object({
    name: Joi.string().pattern(HEADER_NAME).max(100).required(),
    value: Joi.string()
      .pattern(HEADER_VALUE)
      .max(4096)
      .required()
      .messages({ 'string.pattern.base': '{#label} must be visible ASCII characters and spaces only' }),
  }),
  secret: Joi.string().min(32).max(512).when('mode', { is: 'async', then: Joi.required() }),
  timeoutMs: Joi.number().integer().min(100).max(120_000).default(10_000),
  callbackTimeoutMs: Joi.number().integer().min(1_000).max(24 * 3_600_000).default(300_000),
  rateLimit: Joi.object({
    requests: Joi.number().integer().min(1).max(10_000).required(),
    intervalMs: Joi.number().integer().min(100).max(3_600_000).required(),
  }).required(),
});

/**
 * `JOBS_VENDORS`: a JSON object of vendors by name; `{}` (no vendors) when unset. Unlike the
 * environment around it, unknown keys are errors here: a misspelt field or vendor name must
 * not be dropped without a word.
 */
export const vendorsEnvSchema = JsonJoi.jsonObject()
  .pattern(VENDOR_NAME, vendorSchema)
  .default({})
  .prefs({ allowUnknown: false, stripUnknown: false });
