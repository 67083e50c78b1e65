import { Module } from '@nestjs/common';
import { OnUserDeletedHandler } from './on-user-deleted/on-user-deleted.handler';
import { OnUserRegisteredHandler } from './on-user-registered/on-user-registered.handler';

@Module({ controllers: [OnUserRegisteredHandler, OnUserDeletedHandler] })
export class AccountsModule {}
