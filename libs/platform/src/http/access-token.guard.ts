import { CanActivate, ExecutionContext, Inject, Injectable, Optional, createParamDecorator } from '@nestjs/common';
import { Attr } from '@conveyor/tracing';
import { trace } from '@opentelemetry/api';
import type { Request } from 'express';
import { UnauthenticatedError } from '../errors/app-error';
import { AccessTokenVerifier, type Principal } from '../access-token/access-token-verifier';

type AuthenticatedRequest = Request & { principal?: Principal };

/**
 * A service's own say on a principal whose token verified, e.g. refusing a user whose account
 * was deleted while their token is still valid: throw to refuse. Provide it under this token
 * from a global module.
 */
export const PRINCIPAL_CHECK = Symbol('PRINCIPAL_CHECK');
export type PrincipalCheck = (principal: Principal) => Promise<void>;

/**
 * Accepts `Authorization: Bearer <access token>` issued by the auth service and verified
 * locally with auth's published public keys (no call to auth per request). Anything else is a
 * 401 problem.
 */
@Injectable()
export class AccessTokenGuard implements CanActivate {
  constructor(
    private readonly verifier: AccessTokenVerifier,
    @Optional() @Inject(PRINCIPAL_CHECK) private readonly check?: PrincipalCheck,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const [scheme, token, ...rest] = (request.headers.authorization ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token || rest.length > 0) throw new UnauthenticatedError();
    const principal = await this.verifier.verify(token);
    if (!principal) throw new UnauthenticatedError('The access token is invalid or expired.');
    await this.check?.(principal);
    request.principal = principal;
    trace.getActiveSpan()?.setAttribute(Attr.userId, principal.userId);
    return true;
  }
}

/** The principal of a request that passed AccessTokenGuard. */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new UnauthenticatedError();
  return principal;
});
