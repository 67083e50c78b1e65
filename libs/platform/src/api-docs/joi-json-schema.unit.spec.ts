import Joi from 'joi';
import { joiToJsonSchema } from './joi-json-schema';

describe('joiToJsonSchema', () => {
  it('describes an object with its required keys and refuses unknown ones as the JoiPipe does', () => {
    // given a body schema
    const schema = Joi.object({
      email: Joi.string().email().max(254).required(),
      name: Joi.string().min(1).max(200).allow(null),
      scopes: Joi.array().items(Joi.string().valid('jobs:read', 'jobs:write')).min(1).unique(),
      limit: Joi.number().integer().min(1).max(100).default(20),
      since: Joi.date(),
    });
    // when it is converted
    const json = joiToJsonSchema(schema);
    // then the JSON schema says the same
    expect(json).toEqual({
      type: 'object',
      properties: {
        email: { type: 'string', format: 'email', maxLength: 254 },
        name: { type: ['string', 'null'], minLength: 1, maxLength: 200 },
        scopes: { type: 'array', items: { enum: ['jobs:read', 'jobs:write'] }, minItems: 1, uniqueItems: true },
        limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
        since: { type: 'string', format: 'date-time' },
      },
      required: ['email'],
      additionalProperties: false,
    });
  });

  it('describes maps by their key and value schemas, and alternatives as anyOf', () => {
    const json = joiToJsonSchema(
      Joi.object({
        metadata: Joi.object().pattern(Joi.string().max(40), Joi.string().max(500)).max(20),
        input: Joi.alternatives(Joi.string(), Joi.number()),
        code: Joi.string().pattern(/^[A-Z]+$/),
      }),
    );
    expect(json['properties']).toEqual({
      metadata: {
        type: 'object',
        additionalProperties: { type: 'string', maxLength: 500 },
        propertyNames: { type: 'string', maxLength: 40 },
        maxProperties: 20,
      },
      input: { anyOf: [{ type: 'string' }, { type: 'number' }] },
      code: { type: 'string', pattern: '^[A-Z]+$' },
    });
  });

  it('keeps examples and descriptions', () => {
    const json = joiToJsonSchema(Joi.string().description('the name').example('Ada'));
    expect(json).toEqual({ type: 'string', description: 'the name', examples: ['Ada'] });
  });
});
