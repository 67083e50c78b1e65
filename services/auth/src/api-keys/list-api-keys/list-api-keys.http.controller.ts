import { Controller, Get, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, CurrentPrincipal, type Principal } from '@conveyor/platform';
import { DataSource, IsNull } from 'typeorm';
import { ApiKey } from '../api-key.entity';
import { apiKeyView } from '../api-key.view';

/** The caller's active keys, newest first. At most 20 exist, so there is nothing to page. */
@Controller('v1/auth/api-keys')
@UseGuards(AccessTokenGuard)
export class ListApiKeysHttpController {
  constructor(private readonly dataSource: DataSource) {}

  @Get()
  async list(@CurrentPrincipal() principal: Principal) {
    const keys = await this.dataSource.getRepository(ApiKey).find({
      where: { userId: principal.userId, revokedAt: IsNull() },
      order: { createdAt: 'DESC', id: 'DESC' },
    });
    return keys.map(apiKeyView);
  }
}
