import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, CurrentPrincipal, JoiPipe, type Principal } from '@conveyor/platform';
import { ListLedgerHandler } from './list-ledger.handler';
import { listLedgerRequest, type ListLedgerRequest } from './list-ledger.request';

@Controller('v1/billing')
@UseGuards(AccessTokenGuard)
export class ListLedgerHttpController {
  constructor(private readonly handler: ListLedgerHandler) {}

  @Get('ledger')
  list(@CurrentPrincipal() { userId }: Principal, @Query(new JoiPipe(listLedgerRequest)) query: ListLedgerRequest) {
    return this.handler.execute(userId, query);
  }
}
