import { Controller, Get, Header } from '@nestjs/common';
import { SigningKeys } from '../signing-keys';

@Controller('.well-known')
export class PublishJwksHttpController {
  constructor(private readonly keys: SigningKeys) {}

  /** Short public caching: services refetch on an unknown `kid` anyway. */
  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=60')
  async jwks() {
    return { keys: await this.keys.jwks() };
  }
}
