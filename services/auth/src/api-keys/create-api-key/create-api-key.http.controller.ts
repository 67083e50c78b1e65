import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, CurrentPrincipal, JoiPipe, type Principal } from '@conveyor/platform';
import { CreateApiKeyHandler } from './create-api-key.handler';
import { createApiKeyRequest, type CreateApiKeyRequest } from './create-api-key.request';

@Controller('v1/auth/api-keys')
@UseGuards(AccessTokenGuard)
export class CreateApiKeyHttpController {
  constructor(private readonly handler: CreateApiKeyHandler) {}

  /** The only response that ever contains the key. */
  @Post()
  @HttpCode(201)
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body(new JoiPipe(createApiKeyRequest)) body: CreateApiKeyRequest,
  ) {
    const { apiKey, key } = await this.handler.execute(principal.userId, body);
    return {
      id: apiKey.id,
      name: apiKey.name,
      prefix: apiKey.prefix,
      scopes: apiKey.scopes,
      createdAt: apiKey.createdAt.toISOString(),
      key,
    };
  }
}
