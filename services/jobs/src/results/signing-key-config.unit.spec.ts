import { ConfigValidationError, loadConfig } from '@conveyor/config';
import { jobsEnvSchema } from '../jobs.config';

describe('the signing key of result links', () => {
  const base = {};

  it('is required in production', () => {
    expect(() => loadConfig(jobsEnvSchema, { ...base, NODE_ENV: 'production' })).toThrow(ConfigValidationError);
    expect(loadConfig(jobsEnvSchema, { ...base, NODE_ENV: 'production', RESULT_URL_SIGNING_KEY: 'r'.repeat(32) }).RESULT_URL_SIGNING_KEY).toBe(
      'r'.repeat(32),
    );
  });

  it('must be at least 32 characters', () => {
    expect(() => loadConfig(jobsEnvSchema, { ...base, RESULT_URL_SIGNING_KEY: 'short' })).toThrow(/RESULT_URL_SIGNING_KEY/);
  });

  it('is a random key of each process elsewhere', () => {
    const first = loadConfig(jobsEnvSchema, base).RESULT_URL_SIGNING_KEY;
    const second = loadConfig(jobsEnvSchema, base).RESULT_URL_SIGNING_KEY;
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(first).not.toBe(second);
  });
});
