import type { TokenPair } from './types';

/** Refresh this long before the access token expires, so a request never carries a dying one. */
const REFRESH_MARGIN_MS = 30_000;

export interface SessionTokens {
  accessToken: string;
  refreshToken?: string;
  /** When the access token expires (ms since the epoch); unknown means "until a 401 says so". */
  expiresAt?: number;
}

/**
 * The signed-in user's tokens. Refreshes the access token shortly before it expires and after
 * a 401; concurrent callers share one refresh, because auth spends a refresh token on first use
 * and a second use of the same one would revoke the whole session.
 */
export class Session {
  private tokens: SessionTokens | undefined;
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly refresh: (refreshToken: string) => Promise<TokenPair>,
    initial?: SessionTokens,
    private readonly onChange?: (tokens: SessionTokens | undefined) => void,
  ) {
    this.tokens = initial;
  }

  get current(): SessionTokens | undefined {
    return this.tokens;
  }

  set(pair: TokenPair, now = Date.now()): void {
    this.tokens = { accessToken: pair.accessToken, refreshToken: pair.refreshToken, expiresAt: now + pair.expiresIn * 1000 };
    this.onChange?.(this.tokens);
  }

  clear(): void {
    this.tokens = undefined;
    this.onChange?.(undefined);
  }

  /** A usable access token, refreshed first when it is about to expire. */
  async accessToken(now = Date.now()): Promise<string | undefined> {
    const tokens = this.tokens;
    if (tokens?.expiresAt !== undefined && tokens.refreshToken && tokens.expiresAt - now < REFRESH_MARGIN_MS) {
      await this.refreshNow();
    }
    return this.tokens?.accessToken;
  }

  canRefresh(): boolean {
    return Boolean(this.tokens?.refreshToken);
  }

  /** Swaps the refresh token for a new pair, once for all concurrent callers. */
  refreshNow(): Promise<void> {
    const refreshToken = this.tokens?.refreshToken;
    if (!refreshToken) return Promise.resolve();
    this.refreshing ??= this.refresh(refreshToken)
      .then((pair) => this.set(pair))
      .finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }
}
