import { Controller, Delete, HttpCode, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, CurrentPrincipal, type Principal } from '@conveyor/platform';
import { DeleteUserHandler } from './delete-user.handler';

@Controller('v1/users')
@UseGuards(AccessTokenGuard)
export class DeleteMyAccountHttpController {
  constructor(private readonly handler: DeleteUserHandler) {}

  @Delete('me')
  @HttpCode(204)
  async delete(@CurrentPrincipal() principal: Principal): Promise<void> {
    await this.handler.execute(principal.userId, 'self');
  }
}
