import { connect, type AmqpConnectionManager } from 'amqp-connection-manager';
import type { ChannelWrapper, CreateChannelOpts } from 'amqp-connection-manager';

/**
 * One broker connection per process, re-established by amqp-connection-manager after a
 * network failure or broker restart; channels created from it re-run their setup on reconnect.
 */
export class AmqpConnection {
  private readonly manager: AmqpConnectionManager;

  constructor(url: string, connectionName: string) {
    this.manager = connect([url], {
      heartbeatIntervalInSeconds: 5,
      reconnectTimeInSeconds: 1,
      connectionOptions: { clientProperties: { connection_name: connectionName } },
    });
    // Errors surface through 'disconnect' and reconnects; without a listener an emitted
    // 'error' would crash the process.
    this.manager.on('connectFailed', () => undefined);
  }

  createChannel(options: CreateChannelOpts): ChannelWrapper {
    return this.manager.createChannel(options);
  }

  isConnected(): boolean {
    return this.manager.isConnected();
  }

  async close(): Promise<void> {
    await this.manager.close();
  }
}
