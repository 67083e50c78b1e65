import { CanActivate, ExecutionContext, Injectable, createParamDecorator } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { Attr } from '@conveyor/tracing';
import { trace } from '@opentelemetry/api';
import type { Request } from 'express';
import { UnauthenticatedError } from '../errors/app-error';
import { isUuid } from '@conveyor/contracts';

/** Who is calling, as proven by the access token. */
export interface Principal {
  userId: string;
  email: string;
  roles: string[];
}

type AuthenticatedRequest = Request & { principal?: Principal };

/**
 * Accepts `Authorization: Bearer <access token>` issued by the auth service and verified
 * locally (no call to auth per request). Anything else is a 401 problem.
 */
@Injectable()
export class AccessTokenGuard implements CanActivate {
  constructor(private readonly jwt: JwtService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const [scheme, token, ...rest] = (request.headers.authorization ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token || rest.length > 0) throw new UnauthenticatedError();
    const principal = toPrincipal(await this.jwt.verifyAsync(token, { algorithms: ['HS256'] }).catch(() => undefined));
    if (!principal) throw new UnauthenticatedError('The access token is invalid or expired.');
    request.principal = principal;
    trace.getActiveSpan()?.setAttribute(Attr.userId, principal.userId);
    return true;
  }
}


/** A correctly signed token must still carry the claims we rely on, in the right shape. */
function toPrincipal(claims: unknown): Principal | undefined {
  const { sub, email, exp, roles = [] } = (claims ?? {}) as Record<string, unknown>;
  if (typeof sub !== 'string' || !isUuid(sub) || typeof email !== 'string') return undefined;
  // The verifier checks `exp` only when present; a token that never expires is refused.
  if (typeof exp !== 'number') return undefined;
  if (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string')) return undefined;
  return { userId: sub, email, roles };
}

/** The principal of a request that passed AccessTokenGuard. */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new UnauthenticatedError();
  return principal;
});
