import { ConveyorApiError } from './problem';
import { DEFAULT_RETRY, RETRYABLE_STATUSES, retryDelayMs, type RetryOptions } from './retry-policy';

/** Which credential a route takes: jobs routes prefer the API key, the rest need the session. */
export type Credential = 'none' | 'session' | 'apiKeyOrSession';

export interface RequestOptions {
  method?: string;
  /** JSON body, or FormData for multipart uploads. */
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  headers?: Record<string, string>;
  credential?: Credential;
  signal?: AbortSignal;
}

export interface TransportOptions {
  fetch?: typeof fetch;
  retry?: RetryOptions;
  userAgent?: string;
  /** Where the waits between retries go (tests pass a fake). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface CredentialSource {
  /** The bearer value for a route, or undefined when none is available. */
  bearer(credential: Credential): Promise<string | undefined>;
  /** After a 401 with a session token: refresh it; true when the request is worth repeating. */
  recoverFromUnauthorized(credential: Credential, usedBearer: string | undefined): Promise<boolean>;
}

/**
 * Sends one request: adds the credential, retries 429 and 503 with backoff (honouring
 * `Retry-After`), refreshes the session once after a 401, and turns every non-2xx answer into a
 * ConveyorApiError carrying the problem's code.
 */
export class HttpTransport {
  private readonly fetchImpl: typeof fetch;
  private readonly retry: Required<RetryOptions>;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(
    private readonly credentials: CredentialSource,
    private readonly options: TransportOptions = {},
  ) {
    this.fetchImpl = options.fetch ?? ((...args) => fetch(...args));
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.sleep = options.sleep ?? abortableSleep;
  }

  async json<T>(url: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.send(url, options);
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** The raw response of a 2xx answer (downloads, streams). */
  async send(url: string, options: RequestOptions = {}): Promise<Response> {
    const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
    const target = withQuery(url, options.query);
    const credential = options.credential ?? 'none';
    let refreshed = false;
    for (let retry = 0; ; retry++) {
      const bearer = await this.credentials.bearer(credential);
      const response = await this.fetchImpl(target, {
        method,
        headers: this.headers(options, bearer),
        body: encodeBody(options.body),
        signal: options.signal,
      });
      if (response.ok) return response;
      if (response.status === 401 && !refreshed && (await this.credentials.recoverFromUnauthorized(credential, bearer))) {
        refreshed = true;
        await response.body?.cancel();
        retry--;
        continue;
      }
      const delay = RETRYABLE_STATUSES.includes(response.status)
        ? retryDelayMs(retry, response.headers.get('retry-after'), this.retry)
        : undefined;
      if (delay === undefined) throw await ConveyorApiError.from(response, method, target);
      await response.body?.cancel();
      await this.sleep(delay, options.signal);
    }
  }

  private headers(options: RequestOptions, bearer: string | undefined): Record<string, string> {
    return {
      accept: 'application/json, application/problem+json',
      ...(this.options.userAgent && { 'user-agent': this.options.userAgent }),
      ...(options.body !== undefined && !(options.body instanceof FormData) && { 'content-type': 'application/json' }),
      ...(bearer && { authorization: `Bearer ${bearer}` }),
      ...options.headers,
    };
  }
}

function encodeBody(body: unknown): RequestInit['body'] {
  if (body === undefined) return undefined;
  if (body instanceof FormData) return body;
  return JSON.stringify(body);
}

function withQuery(url: string, query: RequestOptions['query']): string {
  if (!query) return url;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, String(value));
  const text = params.toString();
  return text ? `${url}${url.includes('?') ? '&' : '?'}${text}` : url;
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
