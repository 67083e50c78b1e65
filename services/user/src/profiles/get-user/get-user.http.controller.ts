import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, AdminRoleGuard } from '@conveyor/platform';
import { DataSource } from 'typeorm';
import { findLiveProfile } from '../live-profile';
import { profileView } from '../profile.view';

@Controller('v1/users')
@UseGuards(AccessTokenGuard, AdminRoleGuard)
export class GetUserHttpController {
  constructor(private readonly dataSource: DataSource) {}

  @Get(':id')
  async get(@Param('id') id: string) {
    return profileView(await findLiveProfile(this.dataSource.manager, id));
  }
}
