import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AppError } from '../errors/app-error';
import type { Principal } from './access-token-verifier';

export class AdminRoleRequiredError extends AppError {
  constructor() {
    super('AUTH.FORBIDDEN', 'forbidden', 'This route is for administrators only.');
  }
}

/**
 * Lets only principals with the `admin` role through. Runs after AccessTokenGuard, which puts
 * the principal on the request: `@UseGuards(AccessTokenGuard, AdminRoleGuard)`.
 */
@Injectable()
export class AdminRoleGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const principal = context.switchToHttp().getRequest<Request & { principal?: Principal }>().principal;
    if (!principal?.roles.includes('admin')) throw new AdminRoleRequiredError();
    return true;
  }
}
