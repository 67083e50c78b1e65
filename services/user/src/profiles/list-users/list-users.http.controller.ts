import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, AdminRoleGuard, JoiPipe } from '@conveyor/platform';
import { ApiProfilePageResponse } from '../profile.openapi';
import { ListUsersHandler } from './list-users.handler';
import { listUsersRequest, type ListUsersRequest } from './list-users.request';

@Controller('v1/users')
@UseGuards(AccessTokenGuard, AdminRoleGuard)
export class ListUsersHttpController {
  constructor(private readonly handler: ListUsersHandler) {}

  @Get()
  @ApiProfilePageResponse()
  list(@Query(new JoiPipe(listUsersRequest)) query: ListUsersRequest) {
    return this.handler.execute(query);
  }
}
