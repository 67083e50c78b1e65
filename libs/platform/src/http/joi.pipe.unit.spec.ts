import Joi from 'joi';
import { RequestValidationError } from '../errors/app-error';
import { JoiPipe } from './joi.pipe';

const pipe = new JoiPipe(Joi.object({ name: Joi.string(), input: Joi.object().unknown() }));

function errorsOf(body: unknown) {
  try {
    pipe.transform(body);
  } catch (error) {
    expect(error).toBeInstanceOf(RequestValidationError);
    return (error as RequestValidationError).details?.['errors'];
  }
  throw new Error('expected the body to be refused');
}

describe('JoiPipe', () => {
  it('returns the validated body when it fits', () => {
    expect(pipe.transform({ name: 'ok', input: { deep: ['é', '🎉'] } })).toEqual({ name: 'ok', input: { deep: ['é', '🎉'] } });
  });

  it('names every field that breaks the schema, including unknown ones', () => {
    expect(errorsOf({ name: 5, extra: true })).toEqual([
      { field: 'name', message: 'name must be a string' },
      { field: 'extra', message: 'extra is not allowed' },
    ]);
  });

  it.each([
    ['a NUL in a value', { name: 'a\u0000' }, 'name'],
    ['an unpaired high surrogate deep inside', { input: { list: ['fine', 'x\ud800'] } }, 'input.list.1'],
    ['an unpaired low surrogate', { name: '\udc00' }, 'name'],
    ['a NUL in a key', { input: { ['k\u0000']: 1 } }, 'input.k\u0000'],
  ])('refuses text Postgres cannot store: %s', (_, body, field) => {
    expect(errorsOf(body)).toEqual([{ field, message: 'contains a NUL character or an unpaired UTF-16 surrogate' }]);
  });
});
