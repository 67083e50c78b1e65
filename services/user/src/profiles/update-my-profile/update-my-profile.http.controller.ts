import { Body, Controller, Patch, UseGuards } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { AccessTokenGuard, CurrentPrincipal, JoiPipe, type Principal } from '@conveyor/platform';
import { ApiProfileResponse } from '../profile.openapi';
import { profileView } from '../profile.view';
import { UpdateMyProfileHandler } from './update-my-profile.handler';
import { updateMyProfileRequest, type UpdateMyProfileRequest } from './update-my-profile.request';

@Controller('v1/users')
@UseGuards(AccessTokenGuard)
export class UpdateMyProfileHttpController {
  constructor(private readonly handler: UpdateMyProfileHandler) {}

  @Patch('me')
  @ApiProfileResponse('The changed profile.')
  @ApiResponse({ status: 404, description: 'No live profile (`USERS.PROFILE_NOT_FOUND`).' })
  async update(@CurrentPrincipal() principal: Principal, @Body(new JoiPipe(updateMyProfileRequest)) body: UpdateMyProfileRequest) {
    const { profile, activity } = await this.handler.execute(principal.userId, body);
    return profileView(profile, activity);
  }
}
