import { Module } from '@nestjs/common';
import { ReceiveVendorCallbackHandler } from './receive-callback/receive-vendor-callback.handler';
import { ReceiveVendorCallbackHttpController } from './receive-callback/receive-vendor-callback.http.controller';
import { VendorSignatureGuard } from './receive-callback/vendor-signature.guard';
import { VendorsModule } from './vendors.module';

/** `POST /v1/vendors/:vendor/callback`: answers of `async` vendors. */
@Module({
  imports: [VendorsModule],
  controllers: [ReceiveVendorCallbackHttpController],
  providers: [ReceiveVendorCallbackHandler, VendorSignatureGuard],
})
export class VendorCallbacksHttpModule {}
