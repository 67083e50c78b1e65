import Joi from 'joi';

/** The formats a result can be written in. */
export const OUTPUT_FORMATS = ['jpeg', 'png', 'webp', 'avif'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const FIT_MODES = ['cover', 'contain', 'fill', 'inside', 'outside'] as const;
export type FitMode = (typeof FIT_MODES)[number];

/** The largest width or height an operation may ask for. */
export const MAX_DIMENSION = 8192;

export type ImageOperation =
  | { op: 'resize'; width?: number; height?: number; fit?: FitMode; withoutEnlargement?: boolean; background?: string }
  /** Fits the image inside a `size` × `size` box, keeping its aspect ratio and never enlarging it. */
  | { op: 'thumbnail'; size: number }
  | { op: 'crop'; left: number; top: number; width: number; height: number }
  | { op: 'rotate'; angle: number; background?: string }
  | { op: 'flip'; direction: 'vertical' | 'horizontal' }
  | { op: 'grayscale' }
  | { op: 'blur'; sigma: number }
  /** The result's format; only as the last operation. */
  | { op: 'format'; format: OutputFormat; quality?: number };

const dimension = Joi.number().integer().min(1).max(MAX_DIMENSION);
const offset = Joi.number().integer().min(0).max(MAX_DIMENSION * 4);
// CSS-like colours sharp understands; a short, plain pattern keeps odd strings out.
const colour = Joi.string().pattern(/^(#[0-9a-fA-F]{3,8}|[a-z]{3,20})$/);

const operation = Joi.object({ op: Joi.string().valid('resize', 'thumbnail', 'crop', 'rotate', 'flip', 'grayscale', 'blur', 'format').required() })
  .when(Joi.object({ op: 'resize' }).unknown(), {
    then: Joi.object({
      width: dimension,
      height: dimension,
      fit: Joi.string().valid(...FIT_MODES),
      withoutEnlargement: Joi.boolean(),
      background: colour,
    }).or('width', 'height'),
  })
  .when(Joi.object({ op: 'thumbnail' }).unknown(), { then: Joi.object({ size: dimension.required() }) })
  .when(Joi.object({ op: 'crop' }).unknown(), {
    then: Joi.object({ left: offset.required(), top: offset.required(), width: dimension.required(), height: dimension.required() }),
  })
  .when(Joi.object({ op: 'rotate' }).unknown(), {
    then: Joi.object({ angle: Joi.number().integer().min(-360).max(360).required(), background: colour }),
  })
  .when(Joi.object({ op: 'flip' }).unknown(), { then: Joi.object({ direction: Joi.string().valid('vertical', 'horizontal').required() }) })
  .when(Joi.object({ op: 'blur' }).unknown(), { then: Joi.object({ sigma: Joi.number().min(0.3).max(100).required() }) })
  .when(Joi.object({ op: 'format' }).unknown(), {
    then: Joi.object({ format: Joi.string().valid(...OUTPUT_FORMATS).required(), quality: Joi.number().integer().min(1).max(100) }),
  });

/** 1 to 20 operations, applied in order; a `format` operation may only come last. */
export const operationsSchema = Joi.array()
  .items(operation)
  .min(1)
  .max(20)
  .custom((operations: ImageOperation[], helpers) => {
    const formatAt = operations.findIndex((operation) => operation.op === 'format');
    if (formatAt !== -1 && formatAt !== operations.length - 1) {
      return helpers.message({ custom: '"format" may only be the last operation' });
    }
    return operations;
  });
