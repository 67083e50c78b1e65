import { Module } from '@nestjs/common';
import { EchoProcessor } from './echo.processor';
import { ImageTransformProcessor } from './image/image-transform.processor';
import { ResultsModule } from '../results/results.module';
import type { JobProcessor } from './job-processor';
import { ProcessorRegistry } from './processor-registry';

/**
 * The processors, one per job type. The HTTP API validates submissions with
 * `registry.get(type)?.inputSchema`; the worker runs `registry.get(type).process`.
 */
@Module({
  imports: [ResultsModule],
  providers: [
    EchoProcessor,
    ImageTransformProcessor,
    {
      provide: ProcessorRegistry,
      inject: [EchoProcessor, ImageTransformProcessor],
      useFactory: (...processors: JobProcessor[]) => new ProcessorRegistry(processors),
    },
  ],
  exports: [ProcessorRegistry],
})
export class ProcessorsModule {}
