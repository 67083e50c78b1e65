import { CanActivate, ExecutionContext, Injectable, createParamDecorator } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { Attr } from '@conveyor/tracing';
import { trace } from '@opentelemetry/api';
import type { Request } from 'express';
import { UnauthenticatedError } from '../errors/app-error';

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
    try {
      const claims = await this.jwt.verifyAsync<{ sub: string; email: string; roles?: string[] }>(token, {
        algorithms: ['HS256'],
      });
      request.principal = { userId: claims.sub, email: claims.email, roles: claims.roles ?? [] };
    } catch {
      throw new UnauthenticatedError('The access token is invalid or expired.');
    }
    trace.getActiveSpan()?.setAttribute(Attr.userId, request.principal.userId);
    return true;
  }
}

/** The principal of a request that passed AccessTokenGuard. */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new UnauthenticatedError();
  return principal;
});
