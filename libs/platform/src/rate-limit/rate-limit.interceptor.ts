import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Observable } from 'rxjs';
import { RateLimitedError } from '../errors/app-error';
import type { Principal } from '../access-token/access-token-verifier';
import { rateLimitHeaders, type PostgresRateLimiter, type RateLimitPolicy } from './rate-limiter';

/** What a request may carry once its guards have run: a token's principal, or a jobs client (API key). */
type RateLimitedRequest = Request & { principal?: Principal; client?: { userId: string; keyId: string | null } };

/**
 * Counts every request to the public API (`/v1/…`) against the caller's budget: per API key,
 * else per user, else per client IP. Runs as an interceptor, after the guards, so the caller is
 * known; each answer carries `RateLimit-Policy` and `RateLimit`, and a request over the limit is
 * a 429 with `Retry-After`.
 */
@Injectable()
export class RateLimitInterceptor implements NestInterceptor {
  constructor(
    private readonly limiter: PostgresRateLimiter,
    private readonly policy: RateLimitPolicy,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<RateLimitedRequest>();
    if (!request.path.startsWith('/v1/')) return next.handle();
    const state = await this.limiter.hit(subjectOf(request), this.policy);
    if (!state) return next.handle();
    const headers = rateLimitHeaders(this.policy, state);
    if (state.exceeded) throw new RateLimitedError('RATE_LIMIT.EXCEEDED', 'Too many requests; slow down.', state.resetSeconds, headers);
    const response = context.switchToHttp().getResponse<Response>();
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    return next.handle();
  }
}

function subjectOf(request: RateLimitedRequest): string {
  if (request.client?.keyId) return `key:${request.client.keyId}`;
  const userId = request.client?.userId ?? request.principal?.userId;
  if (userId) return `user:${userId}`;
  return `ip:${request.ip ?? 'unknown'}`;
}
