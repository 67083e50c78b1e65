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

/**
 * One request and its answer, as `onExchange` sees it: every attempt is one exchange (a retried
 * request shows up once per attempt). Credentials are never in it: `credential` says which kind
 * was sent, and `requestHeaders` leave out `authorization`.
 */
export interface HttpExchange {
  method: string;
  url: string;
  requestHeaders: Record<string, string>;
  /** The JSON value as given to the request (before encoding), a FormData for uploads, or undefined. */
  requestBody: unknown;
  credential: 'none' | 'apiKey' | 'accessToken';
  status: number;
  responseHeaders: Headers;
  /**
   * The answer's JSON, when the client read it: the results of JSON calls and every error answer
   * (problem details). Undefined for streams and downloads, which are handed over unread.
   */
  responseBody?: unknown;
  /** From sending the request until the answer was read (or, for streams and downloads, its headers arrived). */
  durationMs: number;
}

export interface TransportOptions {
  fetch?: typeof fetch;
  retry?: RetryOptions;
  userAgent?: string;
  /** Where the waits between retries go (tests pass a fake). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * Called after every HTTP exchange, failed ones and retries included (for logging, metrics or
   * checking the traffic against the API documents). It must not throw; it cannot change the answer.
   */
  onExchange?: (exchange: HttpExchange) => void;
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
    const { response, report } = await this.exchange(url, options);
    const text = response.status === 204 ? '' : await response.text();
    const body = (text ? JSON.parse(text) : undefined) as T;
    report(body);
    return body;
  }

  /** The raw response of a 2xx answer (downloads, streams). */
  async send(url: string, options: RequestOptions = {}): Promise<Response> {
    const { response, report } = await this.exchange(url, options);
    report(undefined);
    return response;
  }

  /** Sends until a 2xx answer or an error; `report` hands the successful exchange to the observer. */
  private async exchange(url: string, options: RequestOptions): Promise<{ response: Response; report: (body: unknown) => void }> {
    const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
    const target = withQuery(url, options.query);
    const credential = options.credential ?? 'none';
    let refreshed = false;
    for (let retry = 0; ; retry++) {
      const bearer = await this.credentials.bearer(credential);
      const headers = this.headers(options, bearer);
      const started = performance.now();
      const response = await this.fetchImpl(target, { method, headers, body: encodeBody(options.body), signal: options.signal });
      const report = (responseBody: unknown) => this.observe({ method, target, headers, options, bearer, response, responseBody, started });
      if (response.ok) return { response, report };
      const text = await response.text().catch(() => '');
      report(parseJson(text));
      if (response.status === 401 && !refreshed && (await this.credentials.recoverFromUnauthorized(credential, bearer))) {
        refreshed = true;
        retry--;
        continue;
      }
      const delay = RETRYABLE_STATUSES.includes(response.status)
        ? retryDelayMs(retry, response.headers.get('retry-after'), this.retry)
        : undefined;
      if (delay === undefined) throw ConveyorApiError.fromText(response.status, text, method, target);
      await this.sleep(delay, options.signal);
    }
  }

  private observe(sent: {
    method: string;
    target: string;
    headers: Record<string, string>;
    options: RequestOptions;
    bearer: string | undefined;
    response: Response;
    responseBody: unknown;
    started: number;
  }): void {
    if (!this.options.onExchange) return;
    const requestHeaders = { ...sent.headers };
    delete requestHeaders['authorization'];
    this.options.onExchange({
      method: sent.method,
      url: sent.target,
      requestHeaders,
      requestBody: sent.options.body,
      credential: !sent.bearer ? 'none' : sent.bearer.startsWith('ck_') ? 'apiKey' : 'accessToken',
      status: sent.response.status,
      responseHeaders: sent.response.headers,
      responseBody: sent.responseBody,
      durationMs: performance.now() - sent.started,
    });
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

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
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
