import type { HttpTransport } from './http-transport';
import type { Session } from './session';
import type { ApiKey, ApiKeyScope, CreatedApiKey, RegisteredUser, TokenPair } from './types';

/** `auth`: accounts, sessions and API keys. */
export class AuthClient {
  constructor(
    private readonly http: HttpTransport,
    private readonly baseUrl: string,
    private readonly session: Session,
  ) {}

  register(body: { email: string; password: string; name?: string }): Promise<RegisteredUser> {
    return this.http.json(`${this.baseUrl}/v1/auth/register`, { body });
  }

  /** Logs in and keeps the tokens: later calls use (and refresh) them. */
  async login(body: { email: string; password: string }): Promise<TokenPair> {
    const pair = await this.http.json<TokenPair>(`${this.baseUrl}/v1/auth/login`, { body });
    this.session.set(pair);
    return pair;
  }

  /** Swaps the session's refresh token for a new pair now (the client also does it on its own). */
  async refresh(): Promise<void> {
    await this.session.refreshNow();
  }

  async logout(): Promise<void> {
    const refreshToken = this.session.current?.refreshToken;
    if (refreshToken) await this.http.json(`${this.baseUrl}/v1/auth/logout`, { body: { refreshToken } });
    this.session.clear();
  }

  /** Ends every session of the user, this one included. */
  async logoutAll(): Promise<void> {
    await this.http.json(`${this.baseUrl}/v1/auth/logout-all`, { method: 'POST', credential: 'session' });
    this.session.clear();
  }

  /** Sets a new password; every other session of the user ends, this one is kept. */
  changePassword(body: { currentPassword: string; newPassword: string }): Promise<void> {
    return this.http.json(`${this.baseUrl}/v1/auth/password/change`, { body, credential: 'session' });
  }

  /** Confirms the email address with the token from the confirmation mail. */
  confirmEmail(token: string): Promise<void> {
    return this.http.json(`${this.baseUrl}/v1/auth/confirm`, { body: { token } });
  }

  /** Asks for a password-reset mail; the answer is the same whether or not the account exists. */
  forgotPassword(email: string): Promise<void> {
    return this.http.json(`${this.baseUrl}/v1/auth/password/forgot`, { body: { email } });
  }

  /** Sets a new password with the token from the reset mail; every session of the account ends. */
  resetPassword(body: { token: string; password: string }): Promise<void> {
    return this.http.json(`${this.baseUrl}/v1/auth/password/reset`, { body });
  }

  me(): Promise<RegisteredUser> {
    return this.http.json(`${this.baseUrl}/v1/auth/me`, { credential: 'session' });
  }

  createApiKey(body: { name: string; scopes?: ApiKeyScope[] }): Promise<CreatedApiKey> {
    return this.http.json(`${this.baseUrl}/v1/auth/api-keys`, { body, credential: 'session' });
  }

  listApiKeys(): Promise<ApiKey[]> {
    return this.http.json(`${this.baseUrl}/v1/auth/api-keys`, { credential: 'session' });
  }

  revokeApiKey(id: string): Promise<void> {
    return this.http.json(`${this.baseUrl}/v1/auth/api-keys/${encodeURIComponent(id)}`, { method: 'DELETE', credential: 'session' });
  }
}

/** The refresh call itself, without credentials (used by the Session). */
export const refreshTokens = (http: HttpTransport, authUrl: string) => (refreshToken: string) =>
  http.json<TokenPair>(`${authUrl}/v1/auth/refresh`, { body: { refreshToken } });
