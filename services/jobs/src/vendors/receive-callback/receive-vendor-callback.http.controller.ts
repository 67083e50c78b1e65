import { Body, Controller, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import { JoiPipe } from '@conveyor/platform';
import type { Request } from 'express';
import { TIMESTAMP_HEADER } from '../vendor-signature';
import { ReceiveVendorCallbackHandler, type ReceivedCallback } from './receive-vendor-callback.handler';
import { vendorCallbackRequest, type VendorCallbackRequest } from './vendor-callback.request';
import { VendorSignatureGuard } from './vendor-signature.guard';

/** Where `async` vendors report a finished job; authenticated by the vendor's signature only. */
@Controller('v1/vendors')
export class ReceiveVendorCallbackHttpController {
  constructor(private readonly handler: ReceiveVendorCallbackHandler) {}

  @Post(':vendor/callback')
  @HttpCode(200)
  @UseGuards(VendorSignatureGuard)
  receive(
    @Param('vendor') vendor: string,
    @Body(new JoiPipe(vendorCallbackRequest)) callback: VendorCallbackRequest,
    @Req() request: Request & { rawBody?: Buffer },
  ): Promise<ReceivedCallback> {
    // The guard has checked both headers and the body's bytes.
    const signedAt = new Date(Number(request.header(TIMESTAMP_HEADER)) * 1000);
    return this.handler.execute(vendor, callback, request.rawBody ?? Buffer.alloc(0), signedAt);
  }
}
