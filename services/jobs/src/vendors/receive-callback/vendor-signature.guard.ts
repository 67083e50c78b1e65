import { CanActivate, ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import type { Request } from 'express';
import type { Vendors } from '../vendor-config';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from '../vendor-signature';
import { VendorNotFoundError, VendorSignatureInvalidError } from '../vendors.errors';
import { VENDORS } from '../vendors.tokens';

/** The request with the exact bytes of its JSON body (the platform's body parser keeps them). */
type SignedRequest = Request & { rawBody?: Buffer };

/**
 * Lets a callback through only if it is signed with the secret of the `async` vendor named in
 * the path, over the exact bytes received, and recently. It runs before the body is validated,
 * so a caller without the secret learns nothing about what a valid body looks like.
 */
@Injectable()
export class VendorSignatureGuard implements CanActivate {
  private readonly logger = new Logger(VendorSignatureGuard.name);

  constructor(@Inject(VENDORS) private readonly vendors: Vendors) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<SignedRequest>();
    const name = String(request.params['vendor']);
    const vendor = Object.hasOwn(this.vendors, name) ? this.vendors[name] : undefined;
    if (!vendor || vendor.mode !== 'async' || !vendor.secret) throw new VendorNotFoundError();
    const check = verifySignature(
      vendor.secret,
      { timestamp: request.header(TIMESTAMP_HEADER), signature: request.header(SIGNATURE_HEADER) },
      request.rawBody ?? Buffer.alloc(0),
    );
    if (!check.ok) {
      this.logger.warn(`Refused a callback for vendor ${name}: ${check.reason}`);
      throw new VendorSignatureInvalidError();
    }
    return true;
  }
}
