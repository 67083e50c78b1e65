import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { McpHttpController } from './mcp.http.controller';

/** `/mcp`: the MCP tools over streamable HTTP (see McpHttpController). */
@Module({ imports: [ApiKeysModule], controllers: [McpHttpController] })
export class McpHttpModule {}
