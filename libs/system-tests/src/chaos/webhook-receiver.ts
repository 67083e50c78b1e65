import { createServer, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export type ReceiverMode = 'ok' | 'fail' | 'hang';

/**
 * A client's webhook endpoint on loopback. It verifies each request's Standard Webhooks
 * signature with the client's default secret and records the `webhook-id`s per job, so
 * duplicates (a retry whose first answer was lost) are counted once. The fault schedule can
 * make it answer 500 (`fail`) or hold requests unanswered until the mode changes (`hang`).
 */
export class WebhookReceiver {
  mode: ReceiverMode = 'ok';
  /** jobId → event type → webhook-ids seen. */
  readonly byJob = new Map<string, Map<string, Set<string>>>();
  readonly stats = { requests: 0, accepted: 0, duplicates: 0, badSignatures: 0, failedOnPurpose: 0, hung: 0 };
  private verifier?: Webhook;
  private server?: Server;
  private readonly held: ServerResponse[] = [];

  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}/hooks`;
  }

  async listen(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => this.handle(Buffer.concat(chunks).toString('utf8'), request.headers as Record<string, string>, response));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
  }

  useSecret(secret: string): void {
    this.verifier = new Webhook(secret);
  }

  setMode(mode: ReceiverMode): void {
    this.mode = mode;
    // Requests held while hanging are let go with an error when the receiver comes back.
    if (mode !== 'hang') for (const response of this.held.splice(0)) response.destroy();
  }

  private handle(body: string, headers: Record<string, string>, response: ServerResponse): void {
    this.stats.requests++;
    if (this.mode === 'fail') {
      this.stats.failedOnPurpose++;
      response.writeHead(500).end('failing on purpose');
      return;
    }
    if (this.mode === 'hang') {
      this.stats.hung++;
      this.held.push(response);
      return;
    }
    let message: { type: string; data: { jobId?: string } };
    try {
      if (!this.verifier) throw new Error('no secret yet');
      message = this.verifier.verify(body, headers) as typeof message;
    } catch {
      this.stats.badSignatures++;
      response.writeHead(400).end();
      return;
    }
    const webhookId = headers['webhook-id'];
    const jobId = message.data.jobId;
    if (jobId) {
      const types = this.byJob.get(jobId) ?? new Map<string, Set<string>>();
      this.byJob.set(jobId, types);
      const ids = types.get(message.type) ?? new Set<string>();
      types.set(message.type, ids);
      if (ids.has(webhookId)) this.stats.duplicates++;
      ids.add(webhookId);
    }
    this.stats.accepted++;
    response.writeHead(204).end();
  }

  async close(): Promise<void> {
    this.setMode('ok');
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
