import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { AccessTokenGuard, CurrentPrincipal, JoiPipe, type Principal } from '@conveyor/platform';
import { CreateApiKeyHandler } from './create-api-key.handler';
import { createApiKeyRequest, type CreateApiKeyRequest } from './create-api-key.request';

@Controller('v1/auth/api-keys')
@UseGuards(AccessTokenGuard)
export class CreateApiKeyHttpController {
  constructor(private readonly handler: CreateApiKeyHandler) {}

  /** The only response that ever contains the key. */
  @Post()
  @ApiResponse({
    status: 201,
    description: 'The key; `key` is shown only in this answer.',
    example: {
      id: '5f1d2c3b-4a59-4e6f-8a7b-9c0d1e2f3a4b',
      name: 'ci',
      prefix: 'ck_live_Ab3d',
      scopes: ['jobs:read', 'jobs:write'],
      createdAt: '2025-01-15T09:30:00.000Z',
      key: 'ck_live_…',
    },
  })
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
