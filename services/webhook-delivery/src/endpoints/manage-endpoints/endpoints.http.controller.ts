import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, CurrentPrincipal, JoiPipe, type Principal } from '@conveyor/platform';
import { endpointView } from '../endpoint.view';
import {
  createEndpointRequest,
  updateEndpointRequest,
  type CreateEndpointRequest,
  type UpdateEndpointRequest,
} from './endpoint.request';
import { EndpointsHandler } from './endpoints.handler';

@Controller('v1/webhooks/endpoints')
@UseGuards(AccessTokenGuard)
export class EndpointsHttpController {
  constructor(private readonly handler: EndpointsHandler) {}

  /** The only answer, besides a rotation, that shows the signing secret. */
  @Post()
  @HttpCode(201)
  async create(@CurrentPrincipal() { userId }: Principal, @Body(new JoiPipe(createEndpointRequest)) body: CreateEndpointRequest) {
    const { endpoint, secret } = await this.handler.create(userId, body);
    return { ...endpointView(endpoint), secret };
  }

  @Get()
  async list(@CurrentPrincipal() { userId }: Principal) {
    return { items: (await this.handler.list(userId)).map(endpointView) };
  }

  @Get(':id')
  async get(@CurrentPrincipal() { userId }: Principal, @Param('id') id: string) {
    return endpointView(await this.handler.get(userId, id));
  }

  @Patch(':id')
  async update(
    @CurrentPrincipal() { userId }: Principal,
    @Param('id') id: string,
    @Body(new JoiPipe(updateEndpointRequest)) body: UpdateEndpointRequest,
  ) {
    return endpointView(await this.handler.update(userId, id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(@CurrentPrincipal() { userId }: Principal, @Param('id') id: string): Promise<void> {
    await this.handler.delete(userId, id);
  }
}
