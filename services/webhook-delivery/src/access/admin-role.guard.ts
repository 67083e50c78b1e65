import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { AppError, type Principal } from '@conveyor/platform';

export class AdminRoleRequiredError extends AppError {
  constructor() {
    super('AUTH.FORBIDDEN', 'forbidden', 'This route is for administrators only.');
  }
}

/**
 * Lets only principals with the `admin` role through; use after AccessTokenGuard. Interim, as
 * billing's guard of the same name: roles get a proper home with issue 6 (and this guard a
 * place in the platform library).
 */
@Injectable()
export class AdminRoleGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const principal = context.switchToHttp().getRequest<{ principal?: Principal }>().principal;
    if (!principal?.roles.includes('admin')) throw new AdminRoleRequiredError();
    return true;
  }
}
