import { Client } from 'pg';

/**
 * A dedicated connection that LISTENs on the outbox channel and calls `onNotify` for every
 * commit that wrote outbox rows. It reconnects on its own after a database restart; while it
 * is down the relay's polling keeps events flowing, only a little later.
 */
export class OutboxListener {
  private client?: Client;
  private stopped = false;
  private retryTimer?: NodeJS.Timeout;

  constructor(
    private readonly url: string,
    private readonly channel: string,
    private readonly onNotify: () => void,
  ) {}

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.url, application_name: 'outbox-listener' });
    client.on('notification', () => this.onNotify());
    client.on('error', () => this.reconnectLater(client));
    client.on('end', () => this.reconnectLater(client));
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
      // Rows may have been committed while we were not listening.
      this.onNotify();
    } catch {
      this.reconnectLater(client);
    }
  }

  private reconnectLater(client: Client): void {
    if (this.stopped || this.client !== client) return;
    this.client = undefined;
    void client.end().catch(() => undefined);
    this.retryTimer = setTimeout(() => void this.connect(), 1_000);
  }
}
