import { Global, Module } from '@nestjs/common';
import { PRINCIPAL_CHECK } from '@conveyor/platform';
import { DataSource } from 'typeorm';
import { refuseDeletedUsers } from './deleted-users';
import { OnUserDeletedHandler } from './on-user-deleted/on-user-deleted.handler';

/** What webhook-delivery does when a user's account is deleted, and the check that keeps them out. */
@Global()
@Module({
  controllers: [OnUserDeletedHandler],
  providers: [{ provide: PRINCIPAL_CHECK, inject: [DataSource], useFactory: refuseDeletedUsers }],
  exports: [PRINCIPAL_CHECK],
})
export class UsersModule {}
