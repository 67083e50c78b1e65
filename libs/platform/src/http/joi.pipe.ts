import { Injectable, PipeTransform } from '@nestjs/common';
import type { Schema } from 'joi';
import { RequestValidationError } from '../errors/app-error';

/**
 * Validates and normalises a body, query or parameter against a joi schema. Unknown fields
 * are refused, so a typo in a field name is an error rather than silently ignored.
 */
@Injectable()
export class JoiPipe<T> implements PipeTransform<unknown, T> {
  constructor(private readonly schema: Schema<T>) {}

  transform(value: unknown): T {
    const { value: parsed, error } = this.schema.validate(value ?? {}, {
      abortEarly: false,
      convert: true,
      allowUnknown: false,
      errors: { wrap: { label: false } },
    });
    if (error) {
      throw new RequestValidationError(
        error.details.map((d) => ({ field: d.path.join('.') || '(body)', message: d.message })),
      );
    }
    return parsed;
  }
}
