import { loadConfig } from '@conveyor/config';
import { jobsEnvSchema } from '../jobs.config';

const SECRET = 'a-vendor-secret-that-is-long-enough-0123';
const base = {};
const load = (vendors: unknown, env: Record<string, string> = {}) =>
  loadConfig(jobsEnvSchema, { ...base, JOBS_VENDORS: typeof vendors === 'string' ? vendors : JSON.stringify(vendors), ...env });
const problemsOf = (run: () => unknown): string[] => {
  try {
    run();
  } catch (error) {
    return (error as { problems: string[] }).problems;
  }
  return [];
};

describe('JOBS_VENDORS', () => {
  it('parses vendors from JSON, with defaults for the time limits', () => {
    // given
    const vendors = { acme: { baseUrl: 'https://api.acme.example/run', mode: 'sync', rateLimit: { requests: 5, intervalMs: 1000 } } };
    // when
    const config = load(vendors);
    // then
    expect(config.JOBS_VENDORS).toEqual({ acme: { ...vendors.acme, timeoutMs: 10_000, callbackTimeoutMs: 300_000 } });
  });

  it('means no vendors when unset', () => {
    expect(loadConfig(jobsEnvSchema, base).JOBS_VENDORS).toEqual({});
  });

  it('names every problem at once, without echoing secrets or header values', () => {
    const problems = problemsOf(() =>
      load({
        Bad_Name: { baseUrl: 'https://x.example', mode: 'sync', rateLimit: { requests: 1, intervalMs: 1000 } },
        later: { baseUrl: 'https://x.example', mode: 'async', secret: 'short-secret', rateLimit: { requests: 1, intervalMs: 1000 } },
        nosecret: { baseUrl: 'https://x.example', mode: 'async', rateLimit: { requests: 1, intervalMs: 1000 } },
        header: {
          baseUrl: 'https://x.example',
          mode: 'sync',
          authHeader: { name: 'Authorization', value: 'Bearer s3cr3t\r\nInjected: yes' },
          rateLimit: { requests: 1, intervalMs: 1000 },
        },
        nolimit: { baseUrl: 'https://x.example', mode: 'sync' },
        typo: { baseUrl: 'https://x.example', mode: 'sync', timeoutMS: 5, rateLimit: { requests: 1, intervalMs: 1000 } },
      }),
    );
    expect(problems).toHaveLength(6);
    expect(problems.join('\n')).not.toMatch(/short-secret|s3cr3t/);
  });

  it('accepts http and loopback base URLs only when loopback vendors are allowed', () => {
    const local = { local: { baseUrl: 'http://127.0.0.1:4000/run', mode: 'sync', rateLimit: { requests: 1, intervalMs: 1000 } } };
    expect(problemsOf(() => load(local))).toHaveLength(1);
    expect(load(local, { JOBS_ALLOW_LOOPBACK_VENDORS: 'true' }).JOBS_VENDORS['local']?.baseUrl).toBe('http://127.0.0.1:4000/run');
  });

  it('refuses text that is not a JSON object', () => {
    expect(problemsOf(() => load('{not json'))).toEqual(['JOBS_VENDORS: "JOBS_VENDORS" must be of type object']);
    expect(problemsOf(() => load({ acme: { baseUrl: 'https://x', mode: 'async', secret: SECRET, rateLimit: { requests: 0, intervalMs: 1 } } }))).toHaveLength(2);
  });
});
