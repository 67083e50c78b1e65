import { Module } from '@nestjs/common';
import { AccessTokenGuard, AdminRoleGuard } from '@conveyor/platform';
import { DeleteMyAccountHttpController } from './delete-user/delete-my-account.http.controller';
import { DeleteUserHandler } from './delete-user/delete-user.handler';
import { DeleteUserHttpController } from './delete-user/delete-user.http.controller';
import { GetMyProfileHttpController } from './get-my-profile/get-my-profile.http.controller';
import { GetUserHttpController } from './get-user/get-user.http.controller';
import { ListUsersHandler } from './list-users/list-users.handler';
import { ListUsersHttpController } from './list-users/list-users.http.controller';
import { OnUserRegisteredHandler } from './on-user-registered/on-user-registered.handler';
import { UpdateMyProfileHandler } from './update-my-profile/update-my-profile.handler';
import { UpdateMyProfileHttpController } from './update-my-profile/update-my-profile.http.controller';

@Module({
  // The `/me` routes come before the admin `/:id` ones, so `me` is never taken for an id.
  controllers: [
    GetMyProfileHttpController,
    UpdateMyProfileHttpController,
    DeleteMyAccountHttpController,
    ListUsersHttpController,
    GetUserHttpController,
    DeleteUserHttpController,
    OnUserRegisteredHandler,
  ],
  providers: [AccessTokenGuard, AdminRoleGuard, UpdateMyProfileHandler, DeleteUserHandler, ListUsersHandler],
})
export class ProfilesModule {}
