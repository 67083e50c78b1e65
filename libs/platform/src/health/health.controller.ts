import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { AmqpConnection } from '@conveyor/messaging';
import type { Response } from 'express';
import { DataSource } from 'typeorm';

type Check = 'up' | 'down';

/** Liveness says the process runs; readiness says it can do its work (database and broker). */
@Controller('health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly amqp: AmqpConnection,
  ) {}

  @Get('live')
  @HttpCode(200)
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) response: Response) {
    const checks = { database: await this.database(), broker: (this.amqp.isHealthy() ? 'up' : 'down') as Check };
    const ready = checks.database === 'up' && checks.broker === 'up';
    response.status(ready ? 200 : 503);
    return { status: ready ? 'ok' : 'unavailable', checks };
  }

  private async database(): Promise<Check> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<Check>((resolve) => (timer = setTimeout(() => resolve('down'), 2_000)));
    const probe = this.dataSource.query('SELECT 1').then(
      () => 'up' as const,
      () => 'down' as const,
    );
    try {
      return await Promise.race([probe, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
