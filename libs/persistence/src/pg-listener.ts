import { Client } from 'pg';
import { sqlIdentifier } from './sql-identifier';

export interface PgListenerOptions {
  url: string;
  channels: string[];
  /** Shown in pg_stat_activity. */
  applicationName: string;
  onNotification(channel: string, payload: string | undefined): void;
  /** (Re)connected and listening: notifications sent while disconnected are lost, so catch up. */
  onConnected(): void;
  /**
   * The connection that was listening is gone (it reconnects by itself): notifications are lost
   * from now until the next `onConnected`. Not called by `stop()`, nor when a connection
   * attempt fails before it listened.
   */
  onDisconnected?(): void;
}

/**
 * A dedicated connection that LISTENs on some channels (a pooled connection would be handed
 * to other queries). It reconnects every second after the database went away; callers keep
 * a polling fallback for the time in between.
 */
export class PgListener {
  private client?: Client;
  /** `client` has LISTENed and `onConnected` was called for it. */
  private listening = false;
  private stopped = true;
  private retryTimer?: NodeJS.Timeout;

  constructor(private readonly options: PgListenerOptions) {}

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.listening = false;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const { url, channels, applicationName } = this.options;
    const client = new Client({ connectionString: url, application_name: applicationName });
    client.on('notification', ({ channel, payload }) => this.options.onNotification(channel, payload));
    client.on('error', () => this.reconnectLater(client));
    client.on('end', () => this.reconnectLater(client));
    this.client = client;
    try {
      await client.connect();
      await client.query(channels.map((channel) => `LISTEN "${sqlIdentifier(channel)}"`).join('; '));
      if (this.client === client) {
        this.listening = true;
        this.options.onConnected();
      }
    } catch {
      this.reconnectLater(client);
    }
  }

  private reconnectLater(client: Client): void {
    if (this.stopped || this.client !== client) return;
    const wasListening = this.listening;
    this.client = undefined;
    this.listening = false;
    void client.end().catch(() => undefined);
    this.retryTimer = setTimeout(() => void this.connect(), 1_000);
    if (wasListening) this.options.onDisconnected?.();
  }
}
