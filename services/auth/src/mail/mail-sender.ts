import { Logger } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/** Sends the account mails (confirmation, password reset). */
export abstract class MailSender {
  abstract send(message: MailMessage): Promise<void>;
}

/** SMTP through nodemailer, when SMTP_URL is set (`smtp://user:pass@host:587`, `smtps://…`). */
export class SmtpMailSender extends MailSender {
  private readonly transport: Transporter;

  constructor(
    url: string,
    private readonly from: string,
  ) {
    super();
    this.transport = createTransport(url);
  }

  async send({ to, subject, text }: MailMessage): Promise<void> {
    await this.transport.sendMail({ from: this.from, to, subject, text });
  }
}

/**
 * Without SMTP: the message goes to the log, so a developer can read the token there. Only
 * outside production: a production log must not hold tokens that open accounts, so there the
 * sender logs that a mail was dropped, without its text or recipient.
 */
export class LogMailSender extends MailSender {
  private readonly logger = new Logger('Mail');

  constructor(private readonly production: boolean) {
    super();
  }

  async send({ to, subject, text }: MailMessage): Promise<void> {
    if (this.production) {
      this.logger.warn(`SMTP_URL is not set: dropped a mail "${subject}"`);
      return;
    }
    this.logger.log(`mail not sent (no SMTP_URL) to ${to}: ${subject}\n${text}`);
  }
}
