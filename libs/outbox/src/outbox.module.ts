import { DynamicModule, Global, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EventPublisher } from '@conveyor/messaging';
import { DataSource } from 'typeorm';
import { OutboxRelay } from './outbox-relay';
import { OutboxWriter } from './outbox-writer';

export interface OutboxModuleOptions {
  schema: string;
  listenUrl: string;
  pollIntervalMs: number;
  retentionHours: number;
  maxAttempts: number;
}

/** Provides the service's OutboxWriter and runs its relay for the lifetime of the app. */
@Global()
@Module({})
export class OutboxModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(private readonly relay: OutboxRelay) {}

  static forRoot(options: OutboxModuleOptions): DynamicModule {
    const logger = new Logger(OutboxRelay.name);
    return {
      module: OutboxModule,
      providers: [
        { provide: OutboxWriter, useValue: new OutboxWriter(options.schema) },
        {
          provide: OutboxRelay,
          inject: [DataSource, EventPublisher],
          useFactory: (dataSource: DataSource, publisher: EventPublisher) =>
            new OutboxRelay({
              ...options,
              dataSource,
              publisher,
              onError: (message, error) => logger.warn(`${message}: ${(error as Error)?.message ?? error}`),
            }),
        },
      ],
      exports: [OutboxWriter, OutboxRelay],
    };
  }

  onApplicationBootstrap(): void {
    this.relay.start();
  }

  /** Idempotent; the platform's shutdown sequence normally stops the relay earlier. */
  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }
}
