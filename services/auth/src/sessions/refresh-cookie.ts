import type { Request, Response } from 'express';

/** Browser clients may keep the refresh token in this cookie instead of in script-readable storage. */
export const REFRESH_COOKIE = 'conveyor_refresh';
/** Sent only to auth's own routes, never to scripts, never cross-site. */
const COOKIE_OPTIONS = { httpOnly: true, secure: true, sameSite: 'strict', path: '/v1/auth' } as const;

export function setRefreshCookie(res: Response, token: string, maxAgeSeconds: number): void {
  res.cookie(REFRESH_COOKIE, token, { ...COOKIE_OPTIONS, maxAge: maxAgeSeconds * 1000 });
}

export function clearRefreshCookie(res: Response): void {
  res.clearCookie(REFRESH_COOKIE, COOKIE_OPTIONS);
}

/** The refresh token from the body, else from the cookie. */
export function presentedRefreshToken(req: Request, body: { refreshToken?: string } | undefined): string | undefined {
  if (body?.refreshToken) return body.refreshToken;
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === REFRESH_COOKIE) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

/** A session's answer: the refresh token goes in the body, or only in the cookie when asked. */
export function sessionReply<T extends { refreshToken: string; refreshExpiresIn: number }>(res: Response, session: T, cookie: boolean) {
  if (!cookie) return session;
  setRefreshCookie(res, session.refreshToken, session.refreshExpiresIn);
  const { refreshToken: _inCookie, ...rest } = session;
  return rest;
}
