import { Module } from '@nestjs/common';
import { AccessTokenGuard } from '@conveyor/platform';
import { GetMyProfileHttpController } from './get-my-profile/get-my-profile.http.controller';
import { OnUserRegisteredHandler } from './on-user-registered/on-user-registered.handler';

@Module({
  controllers: [GetMyProfileHttpController, OnUserRegisteredHandler],
  providers: [AccessTokenGuard],
})
export class ProfilesModule {}
