import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../errors/app-error';

/** Deeper than any body a route takes; deep enough for clients' free-form job input. */
export const MAX_BODY_DEPTH = 64;

/**
 * Express middleware after the body parsers. JSON.parse accepts a body nested a hundred
 * thousand levels deep, but everything after it that walks the body recursively (validation,
 * canonical JSON, logging) would overflow the stack and answer 500. Such a body is refused
 * here, with a walk that uses no recursion itself.
 */
export function refuseDeepBodies(req: Request, _res: Response, next: NextFunction): void {
  const body: unknown = req.body;
  if (body && typeof body === 'object' && nestedDeeperThan(body, MAX_BODY_DEPTH)) {
    return next(new AppError('REQUEST.TOO_DEEP', 'invalid', `The request body is nested more than ${MAX_BODY_DEPTH} levels deep.`));
  }
  next();
}

function nestedDeeperThan(root: object, limit: number): boolean {
  const pending: [object, number][] = [[root, 1]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [value, depth] = next;
    if (depth > limit) return true;
    for (const child of Object.values(value)) {
      if (child && typeof child === 'object') pending.push([child as object, depth + 1]);
    }
  }
  return false;
}
