import { APP_CONFIG } from '@conveyor/config';
import { createConveyorMcpServer } from '@conveyor/mcp';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { All, Controller, Inject, Req, Res, UseGuards } from '@nestjs/common';
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

  @All()
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
}
