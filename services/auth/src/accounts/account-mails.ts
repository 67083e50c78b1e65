import { Injectable, Logger } from '@nestjs/common';
import { MailSender } from '../mail/mail-sender';

/**
 * The account mails. A mail that cannot be sent is logged, never thrown: the request that asked
 * for it has already done its work, and the client can ask again.
 */
@Injectable()
export class AccountMails {
  private readonly logger = new Logger(AccountMails.name);

  constructor(private readonly sender: MailSender) {}

  confirmEmail(to: string, token: string): Promise<void> {
    return this.send(to, 'Confirm your Conveyor email address', [
      'Welcome to Conveyor.',
      '',
      'To confirm this address, send this token to POST /v1/auth/confirm as {"token": "…"}:',
      token,
    ]);
  }

  resetPassword(to: string, token: string, minutes: number): Promise<void> {
    return this.send(to, 'Reset your Conveyor password', [
      'Someone (hopefully you) asked to reset the password of this Conveyor account.',
      '',
      `Within ${minutes} minutes, send this token with your new password to POST /v1/auth/password/reset`,
      'as {"token": "…", "password": "…"}. It works once. If you did not ask for it, ignore this mail.',
      token,
    ]);
  }

  private async send(to: string, subject: string, lines: string[]): Promise<void> {
    try {
      await this.sender.send({ to, subject, text: lines.join('\n') });
    } catch (error) {
      this.logger.error(`could not send "${subject}": ${(error as Error).message}`);
    }
  }
}
