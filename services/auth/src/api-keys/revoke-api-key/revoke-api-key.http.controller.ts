import { Controller, Delete, HttpCode, Param, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, CurrentPrincipal, type Principal } from '@conveyor/platform';
import { RevokeApiKeyHandler } from './revoke-api-key.handler';

@Controller('v1/auth/api-keys')
@UseGuards(AccessTokenGuard)
export class RevokeApiKeyHttpController {
  constructor(private readonly handler: RevokeApiKeyHandler) {}

  /** 204 whether this call revoked the key or an earlier one did, so a retry is safe. */
  @Delete(':id')
  @HttpCode(204)
  async revoke(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<void> {
    await this.handler.execute(principal.userId, id);
  }
}
