import type { JobProcessor } from './job-processor';

/** The job types this service can run, each with its processor. */
export class ProcessorRegistry {
  private readonly byType = new Map<string, JobProcessor>();

  constructor(processors: readonly JobProcessor[]) {
    for (const processor of processors) {
      if (this.byType.has(processor.type)) throw new Error(`Two processors for job type ${processor.type}`);
      this.byType.set(processor.type, processor);
    }
  }

  /** The processor of `type`, or undefined when no such job type exists. */
  get(type: string): JobProcessor | undefined {
    return this.byType.get(type);
  }

  types(): string[] {
    return [...this.byType.keys()].sort();
  }
}
