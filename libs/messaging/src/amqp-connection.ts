import { Logger } from '@nestjs/common';
import { connect, type AmqpConnectionManager } from 'amqp-connection-manager';
import type { ChannelWrapper, CreateChannelOpts } from 'amqp-connection-manager';
import type { Channel } from 'amqplib';

/**
 * One broker connection per process, re-established by amqp-connection-manager after a
 * network failure or broker restart; channels created from it re-run their setup on reconnect.
 *
 * A channel can also die on its own (the broker closes it for a protocol error, or its setup
 * is refused, e.g. a queue redeclared with other arguments). The manager only reopens such a
 * channel on the next reconnect, so until then the connection is reported unhealthy and the
 * reason is logged, instead of the service silently not consuming.
 */
export class AmqpConnection {
  private readonly manager: AmqpConnectionManager;
  private readonly failing = new Map<string, string>();
  private readonly logger = new Logger(AmqpConnection.name);

  constructor(url: string, connectionName: string) {
    this.manager = connect([url], {
      heartbeatIntervalInSeconds: 5,
      reconnectTimeInSeconds: 1,
      connectionOptions: { clientProperties: { connection_name: connectionName } },
    });
    this.manager.on('connectFailed', ({ err }) => this.logger.warn(`Broker unreachable: ${err.message}`));
    this.manager.on('disconnect', ({ err }) => this.logger.warn(`Broker connection lost: ${err?.message ?? 'closed'}`));
  }

  createChannel(options: CreateChannelOpts & { name: string }): ChannelWrapper {
    const { name, setup } = options;
    this.failing.set(name, 'not set up yet');
    const wrapper = this.manager.createChannel({
      ...options,
      setup: async (channel: Channel) => {
        // A channel-level error (as opposed to the whole connection going away) leaves the
        // channel closed until the next reconnect.
        channel.on('error', (error: Error) => this.fail(name, error.message));
        await (setup as ((channel: Channel) => Promise<void>) | undefined)?.(channel);
      },
    });
    wrapper.on('error', (error: Error) => this.fail(name, error.message));
    wrapper.on('connect', () => this.failing.delete(name));
    wrapper.on('close', () => this.failing.delete(name));
    return wrapper;
  }

  isConnected(): boolean {
    return this.manager.isConnected();
  }

  /** Connected, and every channel is open and has finished its setup (e.g. is consuming). */
  isHealthy(): boolean {
    return this.manager.isConnected() && this.failing.size === 0;
  }

  async close(): Promise<void> {
    await this.manager.close();
  }

  /** Why the connection is not healthy, by channel; empty when it is. */
  problems(): Record<string, string> {
    return Object.fromEntries(this.failing);
  }

  private fail(channel: string, reason: string): void {
    this.failing.set(channel, reason);
    this.logger.error(`AMQP channel "${channel}" is not working: ${reason}`);
  }
}
