export { McpApiError, type ConveyorMcpApi } from './conveyor-mcp-api';
export { createConveyorMcpServer, toolError } from './create-mcp-server';
