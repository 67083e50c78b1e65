import { AuthClient, refreshTokens } from './auth.client';
import { BillingClient } from './billing.client';
import { HttpTransport, type Credential, type CredentialSource, type TransportOptions } from './http-transport';
import { JobsClient } from './jobs.client';
import { Session, type SessionTokens } from './session';
import { WebhooksClient } from './webhooks.client';

export interface ServiceUrls {
  auth: string;
  jobs: string;
  billing: string;
  webhooks: string;
}

export interface ConveyorClientOptions extends TransportOptions {
  /**
   * Where each service answers. `baseUrl` puts all four behind one origin (a gateway);
   * otherwise each defaults to the local development port (jobs 3000, auth 3001, billing 3003,
   * webhook-delivery 3004).
   */
  baseUrl?: string;
  urls?: Partial<ServiceUrls>;
  /** `ck_live_…`: used for the jobs API. Billing and webhooks need a session (login or tokens). */
  apiKey?: string;
  /** An existing session; with a refresh token it is kept fresh on its own. */
  session?: SessionTokens;
  /** Called whenever the session's tokens change (to persist them). */
  onSessionChange?: (tokens: SessionTokens | undefined) => void;
}

export const LOCAL_URLS: ServiceUrls = {
  jobs: 'http://127.0.0.1:3000',
  auth: 'http://127.0.0.1:3001',
  billing: 'http://127.0.0.1:3003',
  webhooks: 'http://127.0.0.1:3004',
};

/**
 * Conveyor's public HTTP APIs, typed. One client per caller: it holds the API key and/or the
 * signed-in session and refreshes the session on its own.
 *
 * ```ts
 * const conveyor = new ConveyorClient({ apiKey: process.env.CONVEYOR_API_KEY });
 * const { id } = await conveyor.jobs.submit({ type: 'echo', input: { hello: 'world' } });
 * const job = await conveyor.jobs.waitForJob(id);
 * ```
 */
export class ConveyorClient {
  readonly urls: ServiceUrls;
  readonly auth: AuthClient;
  readonly jobs: JobsClient;
  readonly billing: BillingClient;
  readonly webhooks: WebhooksClient;
  private readonly session: Session;
  private apiKey: string | undefined;

  constructor(options: ConveyorClientOptions = {}) {
    const base = options.baseUrl?.replace(/\/+$/, '');
    const defaults = base ? { auth: base, jobs: base, billing: base, webhooks: base } : LOCAL_URLS;
    this.urls = { ...defaults, ...stripSlashes(options.urls) };
    this.apiKey = options.apiKey;

    const credentials: CredentialSource = {
      bearer: (credential) => this.bearer(credential),
      recoverFromUnauthorized: (credential, used) => this.recover(credential, used),
    };
    const http = new HttpTransport(credentials, options);
    // Refreshing goes through a transport without credentials, so it cannot recurse.
    const bare = new HttpTransport({ bearer: async () => undefined, recoverFromUnauthorized: async () => false }, options);
    this.session = new Session(refreshTokens(bare, this.urls.auth), options.session, options.onSessionChange);
    this.auth = new AuthClient(http, this.urls.auth, this.session);
    this.jobs = new JobsClient(http, this.urls.jobs);
    this.billing = new BillingClient(http, this.urls.billing);
    this.webhooks = new WebhooksClient(http, this.urls.webhooks);
  }

  /** Use this API key for the jobs API from now on (e.g. one just created). */
  useApiKey(apiKey: string | undefined): this {
    this.apiKey = apiKey;
    return this;
  }

  get sessionTokens(): SessionTokens | undefined {
    return this.session.current;
  }

  private async bearer(credential: Credential): Promise<string | undefined> {
    if (credential === 'none') return undefined;
    if (credential === 'apiKeyOrSession' && this.apiKey) return this.apiKey;
    return this.session.accessToken();
  }

  private async recover(credential: Credential, used: string | undefined): Promise<boolean> {
    if (credential === 'none' || !used || used === this.apiKey || !this.session.canRefresh()) return false;
    // Another request may have refreshed meanwhile: then simply try again with the new token.
    if (this.session.current?.accessToken !== used) return true;
    try {
      await this.session.refreshNow();
      return true;
    } catch {
      return false;
    }
  }
}

function stripSlashes(urls: Partial<ServiceUrls> | undefined): Partial<ServiceUrls> {
  return Object.fromEntries(Object.entries(urls ?? {}).filter(([, url]) => url).map(([name, url]) => [name, String(url).replace(/\/+$/, '')]));
}
