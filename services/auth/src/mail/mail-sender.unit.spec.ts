import { Logger } from '@nestjs/common';
import { LogMailSender } from './mail-sender';

describe('LogMailSender', () => {
  const message = { to: 'ada@example.com', subject: 'Reset your Conveyor password', text: 'token cat_secret' };

  afterEach(() => jest.restoreAllMocks());

  it('writes the whole message to the log outside production, so a developer can use the token', async () => {
    // given
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);

    // when
    await new LogMailSender(false).send(message);

    // then
    expect(JSON.stringify(log.mock.calls)).toContain('cat_secret');
  });

  it('in production logs only that a mail was dropped: no token, no recipient', async () => {
    // given
    const calls = [jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined), jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined)];

    // when
    await new LogMailSender(true).send(message);

    // then
    const logged = JSON.stringify(calls.map((c) => c.mock.calls));
    expect(logged).toContain('dropped');
    expect(logged).not.toContain('cat_secret');
    expect(logged).not.toContain('ada@example.com');
  });
});
