import { Module, type DynamicModule } from '@nestjs/common';
import type { AuthConfig } from '../auth.config';
import { LogMailSender, MailSender, SmtpMailSender } from './mail-sender';

@Module({})
export class MailModule {
  static forConfig(config: AuthConfig): DynamicModule {
    const sender = config.SMTP_URL
      ? new SmtpMailSender(config.SMTP_URL, config.MAIL_FROM)
      : new LogMailSender(config.NODE_ENV === 'production');
    return { module: MailModule, providers: [{ provide: MailSender, useValue: sender }], exports: [MailSender] };
  }
}
