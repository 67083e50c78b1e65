import { APP_CONFIG } from '@conveyor/config';
import { createConveyorMcpServer } from '@conveyor/mcp';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { Controller, Delete, Get, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ClientAuthGuard } from '../api-keys/client-auth.guard';
import { RequireScope } from '../api-keys/client-principal';
import type { JobsConfig } from '../jobs.config';
import { loopbackMcpApi } from './loopback-mcp-api';

/**
 * Conveyor's MCP tools over streamable HTTP, for assistants that connect to a URL. Stateless:
 * each request gets its own server and transport, so any instance can answer any request and
 * nothing is kept between them. The caller authenticates as for the API (API key or access
 * token); each tool then acts with that same credential.
 */
@Controller('mcp')
@UseGuards(ClientAuthGuard)
export class McpHttpController {
  constructor(@Inject(APP_CONFIG) private readonly config: Pick<JobsConfig, 'HTTP_PORT' | 'MCP_BILLING_URL' | 'MCP_WEBHOOKS_URL'>) {}

  @Post()
  @RequireScope('jobs:read')
  async handle(@Req() request: Request, @Res() response: Response): Promise<void> {
    const urls = { jobs: `http://127.0.0.1:${this.config.HTTP_PORT}`, billing: this.config.MCP_BILLING_URL, webhooks: this.config.MCP_WEBHOOKS_URL };
    const server = createConveyorMcpServer(loopbackMcpApi(urls, String(request.headers.authorization)));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    response.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(request, response, request.body);
  }

  /**
   * A stateless server has no stream to open (GET) and no session to end (DELETE); the
   * protocol has clients expect 405 for both.
   */
  @Get()
  @Delete()
  @RequireScope('jobs:read')
  notAllowed(@Req() request: Request, @Res() response: Response): void {
    response
      .status(405)
      .set('Allow', 'POST')
      .type('application/problem+json')
      .json({
        type: 'about:blank',
        title: 'method not allowed',
        status: 405,
        code: 'REQUEST.METHOD_NOT_ALLOWED',
        detail: 'This MCP endpoint is stateless: send JSON-RPC messages with POST.',
        instance: request.path,
      });
  }
}
