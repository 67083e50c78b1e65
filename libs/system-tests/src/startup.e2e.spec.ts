import { runServiceCommand } from './support/service-process';

describe('start-up configuration', () => {
  it('refuses to start with a bad environment and names every bad variable', async () => {
    // given three invalid variables and a missing required one
    const { exit, output } = runServiceCommand('user', {
      HTTP_PORT: 'eighty',
      AMQP_URL: 'http://not-a-broker',
      LOG_LEVEL: 'chatty',
      JWT_SECRET: '',
    });

    // then the process exits with an error before doing anything else
    expect(await exit).toBe(1);
    const fatal = output.map((line) => safeJson(line)).find((line) => line?.['level'] === 'fatal');
    expect(fatal).toMatchObject({ service: 'user', code: 'CONFIG.INVALID_ENVIRONMENT' });
    const problems = (fatal?.['problems'] as string[]).join('\n');
    for (const name of ['HTTP_PORT', 'AMQP_URL', 'LOG_LEVEL', 'JWT_SECRET']) expect(problems).toContain(name);
    expect(output.join('\n')).not.toMatch(/listening on/);
  }, 30_000);
});

function safeJson(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}
