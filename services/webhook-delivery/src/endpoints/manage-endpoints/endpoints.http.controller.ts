import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
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
  @ApiResponse({
    status: 201,
    description: 'The endpoint and its signing secret, shown only in this answer.',
    example: {
      id: '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d',
      url: 'https://client.example.com/hooks/conveyor',
      eventTypes: ['jobs.job.succeeded.v1', 'jobs.job.failed.v1'],
      secret: 'whsec_…',
    },
  })
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
