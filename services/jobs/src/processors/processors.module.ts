import { Module } from '@nestjs/common';
import { VendorsModule } from '../vendors/vendors.module';
import { EchoProcessor } from './echo.processor';
import type { JobProcessor } from './job-processor';
import { ProcessorRegistry } from './processor-registry';
import { VendorCallProcessor } from './vendor/vendor-call.processor';

/**
 * The processors, one per job type. The HTTP API validates submissions with
 * `registry.get(type)?.inputSchema`; the worker runs `registry.get(type).process`.
 */
@Module({
  imports: [VendorsModule],
  providers: [
    EchoProcessor,
    VendorCallProcessor,
    {
      provide: ProcessorRegistry,
      inject: [EchoProcessor, VendorCallProcessor],
      useFactory: (...processors: JobProcessor[]) => new ProcessorRegistry(processors),
    },
  ],
  exports: [ProcessorRegistry],
})
export class ProcessorsModule {}
