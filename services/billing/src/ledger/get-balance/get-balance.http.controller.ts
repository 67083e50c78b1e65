import { Controller, Get, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, CurrentPrincipal, type Principal } from '@conveyor/platform';
import { DataSource } from 'typeorm';
import { AccountClosedError, AccountNotFoundError } from '../../accounts/accounts.errors';

interface BalanceRow {
  available: number;
  reserved: number;
  plan: string;
  max_concurrent_jobs: number;
  closed: boolean;
}

@Controller('v1/billing')
@UseGuards(AccessTokenGuard)
export class GetBalanceHttpController {
  constructor(private readonly dataSource: DataSource) {}

  /** The caller's own balance and plan. */
  @Get('balance')
  async get(@CurrentPrincipal() { userId }: Principal) {
    const [row] = await this.dataSource.query<BalanceRow[]>(
      `SELECT a.available, a.reserved, a.plan, p.max_concurrent_jobs, a.closed_at IS NOT NULL AS closed
       FROM "billing"."accounts" a JOIN "billing"."plans" p ON p.name = a.plan WHERE a.user_id = $1`,
      [userId],
    );
    if (!row) throw new AccountNotFoundError();
    if (row.closed) throw new AccountClosedError();
    return { available: row.available, reserved: row.reserved, plan: row.plan, maxConcurrentJobs: row.max_concurrent_jobs };
  }
}
