import { Client } from 'pg';
import { JOB_CANCELED_CHANNEL, JOB_QUEUED_CHANNEL } from './job-channels';

export interface JobNotificationHandlers {
  /** A job may have become claimable. */
  onQueued(): void;
  onCanceled(jobId: string): void;
  /** (Re)connected: notifications sent while disconnected are lost, so catch up. */
  onConnected(): void;
}

/**
 * A dedicated connection LISTENing on the worker channels (a pooled one would be handed to
 * other queries). It reconnects every second after losing the database; meanwhile the
 * worker's polling keeps jobs moving, only a little later.
 */
export class JobNotifications {
  private client?: Client;
  private stopped = true;
  private retryTimer?: NodeJS.Timeout;

  constructor(
    private readonly url: string,
    private readonly handlers: JobNotificationHandlers,
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
    const client = new Client({ connectionString: this.url, application_name: 'jobs-worker-listener' });
    client.on('notification', ({ channel, payload }) => {
      if (channel === JOB_QUEUED_CHANNEL) this.handlers.onQueued();
      else if (channel === JOB_CANCELED_CHANNEL && payload) this.handlers.onCanceled(payload);
    });
    client.on('error', () => this.reconnectLater(client));
    client.on('end', () => this.reconnectLater(client));
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN "${JOB_QUEUED_CHANNEL}"; LISTEN "${JOB_CANCELED_CHANNEL}"`);
      if (this.client === client) this.handlers.onConnected();
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
