import { Module } from '@nestjs/common';
import { APP_CONFIG } from '@conveyor/config';
import type { JobsConfig } from '../jobs.config';
import { VendorCallbacks } from './vendor-callbacks';
import { VendorRateLimiter } from './vendor-rate-limiter';
import { VENDORS } from './vendors.tokens';

/** The configured vendors and what calling them needs: the shared rate limit and the callbacks. */
@Module({
  providers: [
    { provide: VENDORS, inject: [APP_CONFIG], useFactory: (config: JobsConfig) => config.JOBS_VENDORS },
    VendorRateLimiter,
    VendorCallbacks,
  ],
  exports: [VENDORS, VendorRateLimiter, VendorCallbacks],
})
export class VendorsModule {}
