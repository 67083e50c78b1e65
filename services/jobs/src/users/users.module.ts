import { Module } from '@nestjs/common';
import { OnUserDeletedHandler } from './on-user-deleted/on-user-deleted.handler';

/** What jobs does when a user's account is deleted. */
@Module({ controllers: [OnUserDeletedHandler] })
export class UsersModule {}
