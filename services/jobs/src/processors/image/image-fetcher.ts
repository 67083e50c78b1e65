import { guardedRequest, OutboundRequestError, type OutboundUrlPolicy } from '@conveyor/ssrf-guard';
import { imageErrors } from './image.errors';

export interface ImageFetcherOptions {
  /** Let the image URL itself reach loopback (tests); redirects never may. */
  allowLoopback: boolean;
  /** For the whole fetch, redirects included. */
  timeoutMs: number;
  /** Largest body read; a longer one fails while it streams in. */
  maxBytes: number;
  /** Redirects followed at most; each one is checked like a new URL. */
  maxRedirects?: number;
  /** Resolver instead of the system's (tests). */
  lookup?: OutboundUrlPolicy['lookup'];
}

const RETRYABLE_STATUS = new Set([408, 425, 429]);

/**
 * Downloads a client's image through the SSRF guard: the address is checked when the socket
 * connects (so a DNS answer that changes after submission cannot reach the private network),
 * the body is capped while it streams, and one deadline covers the whole fetch.
 *
 * Redirects are followed by hand, a few at most, each through the guard again and always
 * without the loopback allowance: a redirect into the host's own network is the classic way
 * around a URL check, and no real image host needs it.
 */
export class ImageFetcher {
  private readonly first: OutboundUrlPolicy;
  private readonly onward: OutboundUrlPolicy;

  // The guard pools sockets per policy object, so both are made once.
  constructor(private readonly options: ImageFetcherOptions) {
    this.first = { allowHttp: true, allowLoopback: options.allowLoopback, lookup: options.lookup };
    this.onward = { allowHttp: true, allowLoopback: false, lookup: options.lookup };
  }

  async fetch(url: string, signal: AbortSignal): Promise<Buffer> {
    const deadline = Date.now() + this.options.timeoutMs;
    let target = url;
    let policy = this.first;
    for (let hop = 0; hop <= (this.options.maxRedirects ?? 3); hop++) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw imageErrors.fetchTimedOut();
      const response = await guardedRequest(target, {
        policy,
        timeoutMs: remaining,
        maxResponseBytes: this.options.maxBytes,
        signal,
        headers: { accept: 'image/*', 'user-agent': 'conveyor-image-fetcher/1' },
      }).catch((error: unknown) => {
        throw this.asJobError(error, signal);
      });
      const { status, headers, body } = response;
      if (status >= 300 && status < 400 && headers.location) {
        target = new URL(headers.location, target).href;
        policy = this.onward;
        continue;
      }
      if (status >= 200 && status < 300) return body;
      if (status >= 500 || RETRYABLE_STATUS.has(status)) throw imageErrors.sourceUnavailable(status);
      throw imageErrors.fetchFailed(status);
    }
    throw imageErrors.tooManyRedirects();
  }

  private asJobError(error: unknown, signal: AbortSignal): unknown {
    if (!(error instanceof OutboundRequestError)) return error;
    switch (error.code) {
      case 'URL_REFUSED':
      case 'ADDRESS_BLOCKED':
        return imageErrors.fetchRefused(error.message);
      case 'TOO_LARGE':
        return imageErrors.tooLarge(this.options.maxBytes);
      case 'TIMEOUT':
        return imageErrors.fetchTimedOut();
      case 'NETWORK':
        return imageErrors.network();
      case 'ABORTED':
        // The worker knows why it aborted; it expects its own reason back.
        return signal.reason ?? error;
    }
  }
}
