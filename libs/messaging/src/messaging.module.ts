import { DynamicModule, Global, Module, OnApplicationShutdown } from '@nestjs/common';
import { AmqpConnection } from './amqp-connection';
import { EventPublisher } from './event-publisher';
import { topologyNames, type TopologyNames } from './topology';

export interface MessagingOptions {
  url: string;
  /** Prefix of every exchange and queue name ('' in production; unique per test). */
  namespace: string;
  /** The service's name: its queue, its dead-letter queue and its inbox consumer key. */
  service: string;
  deliveryLimit: number;
  /** Event types the service publishes that may have no consumer (see EventPublisher). */
  eventsWithoutConsumers?: readonly string[];
}

export const TOPOLOGY_NAMES = Symbol('TOPOLOGY_NAMES');

@Global()
@Module({})
export class MessagingModule implements OnApplicationShutdown {
  constructor(
    private readonly connection: AmqpConnection,
    private readonly publisher: EventPublisher,
  ) {}

  static forRoot(options: MessagingOptions): DynamicModule {
    const names = topologyNames(options.namespace, options.service);
    return {
      module: MessagingModule,
      providers: [
        { provide: TOPOLOGY_NAMES, useValue: names },
        { provide: AmqpConnection, useFactory: () => new AmqpConnection(options.url, options.service) },
        {
          provide: EventPublisher,
          useFactory: (connection: AmqpConnection, topology: TopologyNames) => new EventPublisher(connection, topology, undefined, options.eventsWithoutConsumers),
          inject: [AmqpConnection, TOPOLOGY_NAMES],
        },
      ],
      exports: [TOPOLOGY_NAMES, AmqpConnection, EventPublisher],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.publisher.close().catch(() => undefined);
    await this.connection.close();
  }
}

