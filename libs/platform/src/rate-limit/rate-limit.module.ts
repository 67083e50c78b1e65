import { Module, type DynamicModule } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import type { CommonConfig } from '@conveyor/config';
import { DataSource } from 'typeorm';
import { RateLimitInterceptor } from './rate-limit.interceptor';
import { PostgresRateLimiter } from './rate-limiter';

/**
 * Rate limits on a service's public API, counted in `<schema>.rate_limits` (create it with
 * rateLimitTableSql in a migration). Limits come from RATE_LIMIT_REQUESTS per
 * RATE_LIMIT_WINDOW_SECONDS; 0 requests turns them off.
 */
@Module({})
export class RateLimitModule {
  static forService(schema: string, config: Pick<CommonConfig, 'RATE_LIMIT_REQUESTS' | 'RATE_LIMIT_WINDOW_SECONDS'>): DynamicModule {
    if (config.RATE_LIMIT_REQUESTS === 0) return { module: RateLimitModule };
    const policy = { name: 'api', limit: config.RATE_LIMIT_REQUESTS, windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS };
    return {
      module: RateLimitModule,
      providers: [
        {
          provide: APP_INTERCEPTOR,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) => new RateLimitInterceptor(new PostgresRateLimiter(dataSource, schema), policy),
        },
      ],
    };
  }
}
