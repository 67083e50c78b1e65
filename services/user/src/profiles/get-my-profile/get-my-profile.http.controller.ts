import { Controller, Get, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, CurrentPrincipal, type Principal } from '@conveyor/platform';
import { DataSource } from 'typeorm';
import { findLiveProfile } from '../live-profile';
import { profileView } from '../profile.view';

@Controller('v1/users')
@UseGuards(AccessTokenGuard)
export class GetMyProfileHttpController {
  constructor(private readonly dataSource: DataSource) {}

  @Get('me')
  async get(@CurrentPrincipal() principal: Principal) {
    return profileView(await findLiveProfile(this.dataSource.manager, principal.userId));
  }
}
