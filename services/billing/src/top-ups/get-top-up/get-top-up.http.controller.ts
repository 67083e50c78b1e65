import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, CurrentPrincipal, JoiPipe, type Principal } from '@conveyor/platform';
import Joi from 'joi';
import { DataSource } from 'typeorm';
import { Payment } from '../payment.entity';
import { TopUpNotFoundError } from '../top-ups.errors';
import { topUpView } from '../top-up.view';

const topUpParams = Joi.object<{ id: string }>({ id: Joi.string().guid().lowercase().required() });

@Controller('v1/billing')
@UseGuards(AccessTokenGuard)
export class GetTopUpHttpController {
  constructor(private readonly dataSource: DataSource) {}

  /** Someone else's top-up is answered exactly like one that does not exist. */
  @Get('top-ups/:id')
  async get(@CurrentPrincipal() { userId }: Principal, @Param(new JoiPipe(topUpParams)) { id }: { id: string }) {
    const payment = await this.dataSource.getRepository(Payment).findOneBy({ id, userId });
    if (!payment) throw new TopUpNotFoundError();
    return topUpView(payment);
  }
}
