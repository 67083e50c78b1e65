// Calls to the platform's APIs through the console's same-origin /api/ paths.

const SESSION_KEY = 'conveyor.session';

/**
 * The session lives in sessionStorage: gone with the tab, never in localStorage. It holds the
 * access token only; the refresh token from login is not kept (the console logs in again when
 * the token expires).
 */
export const session = {
  get() {
    try {
      const value = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null');
      if (!value || Date.now() >= value.expiresAt) return null;
      return value;
    } catch {
      return null;
    }
  },
  start({ accessToken, expiresIn }) {
    const claims = decodeClaims(accessToken);
    const value = {
      accessToken,
      expiresAt: Date.now() + expiresIn * 1000 - 5000,
      email: claims.email ?? '',
      roles: Array.isArray(claims.roles) ? claims.roles : [],
    };
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(value));
    return value;
  },
  end() {
    sessionStorage.removeItem(SESSION_KEY);
  },
  isAdmin() {
    return this.get()?.roles.includes('admin') ?? false;
  },
};

/** What the token says about its holder (for display only: the services verify it). */
function decodeClaims(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(part.padEnd(part.length + ((4 - (part.length % 4)) % 4), '=')));
  } catch {
    return {};
  }
}

/** A failed call, with the problem document's stable code when the API sent one. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `The request failed with status ${status}.`);
    this.status = status;
    this.code = problem?.code;
    this.problem = problem;
  }
}

/**
 * `api('/jobs', { json })` → the parsed body. `form` sends multipart, `raw` returns the
 * Response (for blobs and streams). A 401 with a session ends it and goes to the login page.
 */
export async function api(path, { method = 'GET', json, form, headers = {}, raw = false, signal, anonymous = false } = {}) {
  const current = session.get();
  const sent = { accept: raw ? '*/*' : 'application/json', ...headers };
  if (current && !anonymous) sent.authorization = `Bearer ${current.accessToken}`;
  let body;
  if (json !== undefined) {
    sent['content-type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (form) {
    body = form;
  }
  const response = await fetch(`/api${path}`, { method, headers: sent, body, signal, cache: 'no-store' });
  if (!response.ok) {
    const problem = await response.json().catch(() => null);
    if (response.status === 401 && current && !anonymous) {
      session.end();
      location.hash = '#/login';
    }
    throw new ApiError(response.status, problem);
  }
  if (raw) return response;
  if (response.status === 204) return null;
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

/** An Idempotency-Key, so a double click or a retried request submits once. */
export function newIdempotencyKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}
