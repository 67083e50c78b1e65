export { McpApiError, type ConveyorMcpApi } from './conveyor-mcp-api';
export { createConveyorMcpServer, toolError } from './create-mcp-server';
export { CONVEYOR_TOOLS, MAX_WAIT_SECONDS, RESULT_URI_TEMPLATE, type ConveyorTool } from './tools';
