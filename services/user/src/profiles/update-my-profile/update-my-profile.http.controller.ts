import { Body, Controller, Patch, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, CurrentPrincipal, JoiPipe, type Principal } from '@conveyor/platform';
import { profileView } from '../profile.view';
import { UpdateMyProfileHandler } from './update-my-profile.handler';
import { updateMyProfileRequest, type UpdateMyProfileRequest } from './update-my-profile.request';

@Controller('v1/users')
@UseGuards(AccessTokenGuard)
export class UpdateMyProfileHttpController {
  constructor(private readonly handler: UpdateMyProfileHandler) {}

  @Patch('me')
  async update(@CurrentPrincipal() principal: Principal, @Body(new JoiPipe(updateMyProfileRequest)) body: UpdateMyProfileRequest) {
    return profileView(await this.handler.execute(principal.userId, body));
  }
}
