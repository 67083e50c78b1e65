import { Module } from '@nestjs/common';
import { OnUserRegisteredHandler } from './on-user-registered/on-user-registered.handler';

@Module({ controllers: [OnUserRegisteredHandler] })
export class AccountsModule {}
