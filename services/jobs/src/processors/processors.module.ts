import { Module } from '@nestjs/common';
import { VendorsModule } from '../vendors/vendors.module';
import { EchoProcessor } from './echo.processor';
import { ImageTransformProcessor } from './image/image-transform.processor';
import { ResultsModule } from '../results/results.module';
import type { JobProcessor } from './job-processor';
import { ProcessorRegistry } from './processor-registry';
import { VendorCallProcessor } from './vendor/vendor-call.processor';

/**
 * The processors, one per job type. The HTTP API validates submissions with
 * `registry.get(type)?.inputSchema`; the worker runs `registry.get(type).process`.
 */
@Module({
  imports: [ResultsModule, VendorsModule],
  providers: [
    EchoProcessor,
    ImageTransformProcessor,
    VendorCallProcessor,
    {
      provide: ProcessorRegistry,
      inject: [EchoProcessor, ImageTransformProcessor, VendorCallProcessor],
      useFactory: (...processors: JobProcessor[]) => new ProcessorRegistry(processors),
    },
  ],
  exports: [ProcessorRegistry],
})
export class ProcessorsModule {}
