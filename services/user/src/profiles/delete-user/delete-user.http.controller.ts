import { Controller, Delete, HttpCode, Param, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, AdminRoleGuard } from '@conveyor/platform';
import { DeleteUserHandler } from './delete-user.handler';

@Controller('v1/users')
@UseGuards(AccessTokenGuard, AdminRoleGuard)
export class DeleteUserHttpController {
  constructor(private readonly handler: DeleteUserHandler) {}

  @Delete(':id')
  @HttpCode(204)
  async delete(@Param('id') id: string): Promise<void> {
    await this.handler.execute(id, 'admin');
  }
}
