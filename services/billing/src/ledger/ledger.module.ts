import { Module } from '@nestjs/common';
import { AccessTokenGuard } from '@conveyor/platform';
import { GetBalanceHttpController } from './get-balance/get-balance.http.controller';
import { ListLedgerHandler } from './list-ledger/list-ledger.handler';
import { ListLedgerHttpController } from './list-ledger/list-ledger.http.controller';

@Module({
  controllers: [GetBalanceHttpController, ListLedgerHttpController],
  providers: [ListLedgerHandler, AccessTokenGuard],
})
export class LedgerModule {}
