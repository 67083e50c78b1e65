import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';
import type { ConveyorMcpApi } from './conveyor-mcp-api';
import { CONVEYOR_TOOLS, RESULT_URI_TEMPLATE } from './tools';

const RESULT_URI = /^conveyor:\/\/jobs\/([^/]+)\/result$/;

/**
 * Conveyor as an MCP server: tools to submit, read, list and wait for jobs, read the balance
 * and the webhook delivery log, and each job's result as a resource. A failed call comes back
 * as a tool error naming the problem's code (`JOBS.JOB_NOT_FOUND`…), never as a crash.
 *
 * Built on the SDK's low-level Server with JSON Schema inputs: the platform's API validates
 * every argument anyway (400 `REQUEST.INVALID` naming the field, which comes back as a tool
 * error), so a second schema library here would only be a second opinion.
 */
export function createConveyorMcpServer(api: ConveyorMcpApi, info = { name: 'conveyor', version: '0.1.0' }): Server {
  const server = new Server(info, {
    capabilities: { tools: {}, resources: {} },
    instructions:
      'Conveyor runs asynchronous jobs (echo, image.transform, vendor.call). Submit a job, then wait_for_job; ' +
      `a succeeded job's result is the resource ${RESULT_URI_TEMPLATE}. Errors name a stable code such as JOBS.JOB_NOT_FOUND.`,
  });

  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: CONVEYOR_TOOLS.map(({ name, title, description, inputSchema }) => ({ name, title, description, inputSchema })),
  }));

  server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    const tool = CONVEYOR_TOOLS.find((t) => t.name === request.params.name);
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `unknown tool ${request.params.name}`);
    const args = request.params.arguments ?? {};
    const missing = tool.inputSchema.required?.filter((field) => args[field] === undefined || args[field] === null) ?? [];
    if (missing.length > 0) return toolError({ code: 'REQUEST.INVALID', status: 400, detail: `missing ${missing.join(', ')}` });
    try {
      const value = await tool.call(api, args);
      return { content: [{ type: 'text', text: JSON.stringify(value ?? null, null, 2) }] };
    } catch (error) {
      return toolError(error);
    }
  });

  server.setRequestHandler(ListResourcesRequestSchema, () => ({ resources: [] }));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({
    resourceTemplates: [
      { uriTemplate: RESULT_URI_TEMPLATE, name: 'job-result', title: "A job's result", description: 'The JSON result of a job, or the file of an image job.' },
    ],
  }));

  server.setRequestHandler(ReadResourceRequestSchema, async (request) => {
    const id = RESULT_URI.exec(request.params.uri)?.[1];
    if (!id) throw new McpError(ErrorCode.InvalidParams, `not a Conveyor resource: ${request.params.uri}`);
    try {
      const result = await api.getJobResult(decodeURIComponent(id));
      const isText = /^(application\/([\w.-]+\+)?json|text\/)/.test(result.contentType);
      const body = Buffer.from(result.body);
      return {
        contents: [
          isText
            ? { uri: request.params.uri, mimeType: result.contentType, text: body.toString('utf8') }
            : { uri: request.params.uri, mimeType: result.contentType, blob: body.toString('base64') },
        ],
      };
    } catch (error) {
      // Resources have no error result: a protocol error that still names the problem's code.
      const { code, status, detail } = describe(error);
      throw new McpError(status === 404 ? ErrorCode.InvalidParams : ErrorCode.InternalError, `${code}: ${detail}`, { code, status });
    }
  });

  return server;
}

/** The problem's code, status and detail, in words an assistant can act on. */
export function toolError(error: unknown): CallToolResult {
  const { code, status, detail } = describe(error);
  return {
    isError: true,
    content: [{ type: 'text', text: `${code}${status ? ` (${status})` : ''}: ${detail}` }],
    structuredContent: { error: { code, status: status ?? null, detail } },
  };
}

function describe(error: unknown): { code: string; status?: number; detail: string } {
  const e = (error ?? {}) as { code?: unknown; status?: unknown; detail?: unknown; problem?: { detail?: unknown }; message?: unknown; name?: unknown };
  const code =
    typeof e.code === 'string' && e.code.includes('.') ? e.code : e.name === 'WaitForJobTimeoutError' ? 'CLIENT.WAIT_TIMEOUT' : 'CLIENT.REQUEST_FAILED';
  return {
    code,
    status: typeof e.status === 'number' ? e.status : undefined,
    detail: String(e.problem?.detail ?? e.detail ?? e.message ?? 'the call failed'),
  };
}
