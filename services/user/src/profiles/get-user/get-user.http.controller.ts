import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { AccessTokenGuard, AdminRoleGuard } from '@conveyor/platform';
import { DataSource } from 'typeorm';
import { findJobActivity } from '../../activity/job-activity';
import { findLiveProfile } from '../live-profile';
import { ApiProfileResponse } from '../profile.openapi';
import { profileView } from '../profile.view';

@Controller('v1/users')
@UseGuards(AccessTokenGuard, AdminRoleGuard)
export class GetUserHttpController {
  constructor(private readonly dataSource: DataSource) {}

  @Get(':id')
  @ApiProfileResponse('The user’s profile, with the summary of their finished jobs.')
  @ApiResponse({ status: 404, description: 'No live profile with this id, or not a UUID (`USERS.PROFILE_NOT_FOUND`).' })
  async get(@Param('id') id: string) {
    const profile = await findLiveProfile(this.dataSource.manager, id);
    return profileView(profile, await findJobActivity(this.dataSource.manager, profile.userId));
  }
}
