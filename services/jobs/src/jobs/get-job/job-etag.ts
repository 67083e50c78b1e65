import { createHash } from 'node:crypto';
import type { Job } from '../job.entity';

/**
 * A strong validator: the version grows with every change to the job, so (id, version) names
 * one representation; `variant` covers what else the representation holds (a signed link).
 */
export function jobEtag(job: Pick<Job, 'id' | 'version'>, variant?: string): string {
  const digest = createHash('sha256')
    .update(`${job.id}:${job.version}${variant === undefined ? '' : `:${variant}`}`)
    .digest('base64url')
    .slice(0, 27);
  return `"${digest}"`;
}

/**
 * `If-None-Match` uses the weak comparison (RFC 9110 §13.1.2): `W/"x"` matches `"x"`, and
 * `*` matches any current representation.
 */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag);
}
