import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { AccessTokenGuard, CurrentPrincipal, type Principal } from '@conveyor/platform';
import { DataSource } from 'typeorm';
import { findJobActivity } from '../../activity/job-activity';
import { findLiveProfile } from '../live-profile';
import { ApiProfileResponse } from '../profile.openapi';
import { profileView } from '../profile.view';

@Controller('v1/users')
@UseGuards(AccessTokenGuard)
export class GetMyProfileHttpController {
  constructor(private readonly dataSource: DataSource) {}

  @Get('me')
  @ApiProfileResponse('The caller’s profile, with the summary of their finished jobs.')
  @ApiResponse({ status: 404, description: 'No live profile: the registration event has not been applied yet, or the account was deleted (`USERS.PROFILE_NOT_FOUND`).' })
  async get(@CurrentPrincipal() principal: Principal) {
    const profile = await findLiveProfile(this.dataSource.manager, principal.userId);
    return profileView(profile, await findJobActivity(this.dataSource.manager, profile.userId));
  }
}
