import pino from 'pino';
import { Writable } from 'node:stream';
import { REDACTED_PATHS } from './logger.module';

function logged(write: (logger: pino.Logger) => void): string {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  write(pino({ redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, stream));
  return lines.join('');
}

describe('REDACTED_PATHS', () => {
  it('hides secret fields handed to the logger, at the top level and one level down', () => {
    const text = logged((logger) => {
      logger.info({ password: 'pw-top-1', body: { currentPassword: 'pw-cur-2', newPassword: 'pw-new-3' } }, 'change');
      logger.info({ token: 'tok-4', session: { accessToken: 'at-5', refreshToken: 'rt-6' } }, 'session');
      logger.info({ endpoint: { secret: 'whsec_7' }, key: { apiKey: 'ck_live_8' } }, 'created');
      logger.info({ req: { headers: { authorization: 'Bearer at-9', cookie: 'conveyor_refresh=rt-10' } } }, 'request');
    });
    for (const secret of ['pw-top-1', 'pw-cur-2', 'pw-new-3', 'tok-4', 'at-5', 'rt-6', 'whsec_7', 'ck_live_8', 'at-9', 'rt-10']) {
      expect({ secret, leaked: text.includes(secret) }).toEqual({ secret, leaked: false });
    }
    expect(text).toContain('[redacted]');
  });

  it("hides a failed SQL statement's parameters but keeps its message", () => {
    const error = Object.assign(new Error('duplicate key value violates unique constraint'), { parameters: ['whsec_in_sql'] });
    const text = logged((logger) => logger.error({ err: error }, 'Unhandled error while serving a request'));
    expect(text).not.toContain('whsec_in_sql');
    expect(text).toContain('duplicate key value');
  });
});
