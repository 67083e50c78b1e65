import Joi from 'joi';
import { ConfigValidationError, jsonEnv, loadConfig, serviceEnvSchema } from './index';

const schema = serviceEnvSchema({ port: 3001, databaseUrl: 'postgres://conveyor_auth@127.0.0.1:5432/conveyor' });

describe('loadConfig', () => {
  it('fills defaults and converts types when the environment is valid', () => {
    // given nothing but a port
    const config = loadConfig(schema, { HTTP_PORT: '4000' });

    // then defaults apply and numbers are numbers
    expect(config.HTTP_PORT).toBe(4000);
    expect(config.AMQP_DELIVERY_LIMIT).toBe(5);
    expect(config.DATABASE_URL).toBe('postgres://conveyor_auth@127.0.0.1:5432/conveyor');
  });

  it('names every bad variable in one error', () => {
    // given four problems at once
    const env = { HTTP_PORT: 'eighty', AMQP_URL: 'http://not-amqp', LOG_LEVEL: 'loud', AUTH_JWKS_URL: 'ftp://keys' };

    // when / then: one error lists them all
    let error: unknown;
    try {
      loadConfig(schema, env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    const problems = (error as ConfigValidationError).problems.join('\n');
    for (const name of ['HTTP_PORT', 'AMQP_URL', 'LOG_LEVEL', 'AUTH_JWKS_URL']) {
      expect(problems).toContain(name);
    }
  });

  it('ignores variables the service does not read', () => {
    const config = loadConfig(schema, { PATH: '/usr/bin' }) as Record<string, unknown>;
    expect(config['PATH']).toBeUndefined();
  });
});

describe('jsonEnv', () => {
  const schema = Joi.object({ LIMITS: jsonEnv(Joi.object().pattern(Joi.string(), Joi.number().integer())).default({}) });

  it('parses JSON text and checks it', () => {
    expect(schema.validate({ LIMITS: '{"echo": 500}' }).value).toEqual({ LIMITS: { echo: 500 } });
    expect(schema.validate({}).value).toEqual({ LIMITS: {} });
  });

  it('names the variable when the text is not JSON or does not fit the schema', () => {
    expect(schema.validate({ LIMITS: '{echo: 500' }).error?.message).toBe('"LIMITS" must be valid JSON');
    expect(schema.validate({ LIMITS: '{"echo": "slow"}' }).error?.message).toContain('"LIMITS"');
  });
});
