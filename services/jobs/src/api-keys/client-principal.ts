import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { UnauthenticatedError, type Principal } from '@conveyor/platform';
import type { Request } from 'express';

/** What a client may do with the jobs API; API keys carry a subset, access tokens all of them. */
export const JOBS_SCOPES = ['jobs:read', 'jobs:write'] as const;
export type JobsScope = (typeof JOBS_SCOPES)[number];

/** Who is calling the jobs API, proven by an API key or an access token. */
export interface ClientPrincipal {
  userId: string;
  /** The API key used, or null for an access token. */
  keyId: string | null;
  scopes: readonly string[];
}

export type ClientRequest = Request & { client?: ClientPrincipal; principal?: Principal };

export const REQUIRED_SCOPE = 'jobs:required-scope';

/** The scope a route needs; ClientAuthGuard refuses routes that declare none. */
export const RequireScope = (scope: JobsScope) => SetMetadata(REQUIRED_SCOPE, scope);

/** The client of a request that passed ClientAuthGuard. */
export const CurrentClient = createParamDecorator((_: unknown, context: ExecutionContext): ClientPrincipal => {
  const client = context.switchToHttp().getRequest<ClientRequest>().client;
  if (!client) throw new UnauthenticatedError();
  return client;
});
