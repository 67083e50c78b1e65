import { Controller, Get, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, CurrentPrincipal, type Principal } from '@conveyor/platform';
import { DataSource, IsNull } from 'typeorm';
import { AccountNotFoundError } from '../accounts.errors';
import { accountView } from '../account.view';
import { Credential } from '../credential.entity';

@Controller('v1/auth')
@UseGuards(AccessTokenGuard)
export class GetMyAccountHttpController {
  constructor(private readonly dataSource: DataSource) {}

  @Get('me')
  async me(@CurrentPrincipal() principal: Principal) {
    const credential = await this.dataSource.getRepository(Credential).findOneBy({ id: principal.userId, disabledAt: IsNull() });
    if (!credential) throw new AccountNotFoundError();
    return accountView(credential);
  }
}
