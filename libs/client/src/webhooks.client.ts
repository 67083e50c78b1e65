import type { HttpTransport } from './http-transport';
import type { Page, SecretRotation, WebhookAttempt, WebhookEndpoint, WebhookEndpointRequest, WebhookMessage } from './types';

/** `webhook-delivery`: endpoints, secrets and the delivery log. Every route takes the session. */
export class WebhooksClient {
  constructor(
    private readonly http: HttpTransport,
    private readonly baseUrl: string,
  ) {}

  private url(path: string) {
    return `${this.baseUrl}/v1/webhooks${path}`;
  }

  createEndpoint(body: WebhookEndpointRequest): Promise<WebhookEndpoint & { secret: string }> {
    return this.http.json(this.url('/endpoints'), { body, credential: 'session' });
  }

  async listEndpoints(): Promise<WebhookEndpoint[]> {
    return (await this.http.json<{ items: WebhookEndpoint[] }>(this.url('/endpoints'), { credential: 'session' })).items;
  }

  getEndpoint(id: string): Promise<WebhookEndpoint> {
    return this.http.json(this.url(`/endpoints/${encodeURIComponent(id)}`), { credential: 'session' });
  }

  updateEndpoint(id: string, body: Partial<WebhookEndpointRequest> & { enabled?: boolean }): Promise<WebhookEndpoint> {
    return this.http.json(this.url(`/endpoints/${encodeURIComponent(id)}`), { method: 'PATCH', body, credential: 'session' });
  }

  deleteEndpoint(id: string): Promise<void> {
    return this.http.json(this.url(`/endpoints/${encodeURIComponent(id)}`), { method: 'DELETE', credential: 'session' });
  }

  rotateEndpointSecret(id: string, graceSeconds?: number): Promise<SecretRotation> {
    return this.http.json(this.url(`/endpoints/${encodeURIComponent(id)}/rotate-secret`), { body: { graceSeconds }, credential: 'session' });
  }

  sendTestMessage(id: string): Promise<{ messageId: string; webhookId: string }> {
    return this.http.json(this.url(`/endpoints/${encodeURIComponent(id)}/test`), { body: {}, credential: 'session' });
  }

  /** The client's default secret: it signs the deliveries to jobs' own `webhookUrl`. */
  async defaultSecret(): Promise<string> {
    return (await this.http.json<{ secret: string }>(this.url('/secret'), { credential: 'session' })).secret;
  }

  rotateDefaultSecret(graceSeconds?: number): Promise<SecretRotation> {
    return this.http.json(this.url('/secret/rotate'), { body: { graceSeconds }, credential: 'session' });
  }

  listMessages(query: { status?: 'pending' | 'succeeded' | 'failed'; limit?: number; cursor?: string } = {}): Promise<Page<WebhookMessage>> {
    return this.http.json(this.url('/messages'), { query, credential: 'session' });
  }

  async listAttempts(messageId: string): Promise<WebhookAttempt[]> {
    return (await this.http.json<{ items: WebhookAttempt[] }>(this.url(`/messages/${encodeURIComponent(messageId)}/attempts`), { credential: 'session' }))
      .items;
  }

  replayMessage(messageId: string): Promise<{ replayed: number }> {
    return this.http.json(this.url(`/messages/${encodeURIComponent(messageId)}/replay`), { body: {}, credential: 'session' });
  }

  /** Makes the exhausted deliveries of messages created in `[since, until)` due again; `dryRun` only counts them. */
  replayExhausted(body: { since: string; until?: string; endpointId?: string; dryRun?: boolean }): Promise<{ count: number; dryRun: boolean }> {
    return this.http.json(this.url('/replay'), { body, credential: 'session' });
  }
}
