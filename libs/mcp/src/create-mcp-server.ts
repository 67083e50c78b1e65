import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { ConveyorMcpApi } from './conveyor-mcp-api';

const JOB_STATUSES = ['pending', 'queued', 'running', 'succeeded', 'failed', 'canceled', 'rejected'] as const;
const RESULT_URI = 'conveyor://jobs/{id}/result';
/** An MCP call should not hold a connection open for minutes. */
const MAX_WAIT_SECONDS = 120;

/**
 * Conveyor as an MCP server: tools to submit, read, list and wait for jobs, read the balance
 * and the webhook delivery log, and each job's result as a resource. A failed call comes back
 * as a tool error naming the problem's code (`JOBS.JOB_NOT_FOUND`…), never as a protocol error.
 */
export function createConveyorMcpServer(api: ConveyorMcpApi, info = { name: 'conveyor', version: '0.1.0' }): McpServer {
  const server = new McpServer(info, {
    instructions:
      'Conveyor runs asynchronous jobs (echo, image.transform, vendor.call). Submit a job, then wait_for_job; ' +
      `a succeeded job's result is the resource ${RESULT_URI}. Errors name a stable code such as JOBS.JOB_NOT_FOUND.`,
  });

  server.registerTool(
    'submit_job',
    {
      title: 'Submit a job',
      description:
        'Submits a job and answers its id and status (pending). Types: echo (input is any object; delayMs, failWith), ' +
        'image.transform (input { imageUrl, operations }), vendor.call (input { vendor, payload }). Costs credits when it succeeds.',
      inputSchema: {
        type: z.string().min(1).describe('the job type, e.g. echo'),
        input: z.record(z.string(), z.unknown()).describe("the job's input object"),
        metadata: z.record(z.string(), z.unknown()).optional(),
        webhookUrl: z.string().url().optional().describe('where the signed outcome is POSTed'),
        idempotencyKey: z.string().min(1).max(255).optional().describe('repeat it to make a retried submit run once'),
      },
    },
    (args) => run(() => api.submitJob(args)),
  );

  server.registerTool(
    'get_job',
    { title: 'Get a job', description: "A job's status, result or error, and its trace id.", inputSchema: { id: z.string().describe('the job id') } },
    ({ id }) => run(() => api.getJob(id)),
  );

  server.registerTool(
    'list_jobs',
    {
      title: 'List jobs',
      description: "The client's jobs, newest first, one page at a time (pass nextCursor back for the next).",
      inputSchema: {
        status: z.enum(JOB_STATUSES).optional(),
        type: z.string().optional(),
        limit: z.number().int().min(1).max(100).optional(),
        cursor: z.string().optional(),
      },
    },
    (query) => run(() => api.listJobs(query)),
  );

  server.registerTool(
    'wait_for_job',
    {
      title: 'Wait for a job',
      description: `Waits until the job is final (succeeded, failed, canceled, rejected) and answers it; at most ${MAX_WAIT_SECONDS} s.`,
      inputSchema: { id: z.string(), timeoutSeconds: z.number().min(1).max(MAX_WAIT_SECONDS).optional().describe('30 unless told') },
    },
    ({ id, timeoutSeconds = 30 }) => run(() => api.waitForJob(id, timeoutSeconds * 1000)),
  );

  server.registerTool(
    'get_balance',
    { title: 'Read the balance', description: 'Available and reserved credits, and the plan. Needs a signed-in session, not only an API key.', inputSchema: {} },
    () => run(() => api.getBalance()),
  );

  server.registerTool(
    'list_webhook_deliveries',
    {
      title: 'List webhook deliveries',
      description: 'Webhook messages newest first, each with its deliveries and their state. Needs a signed-in session.',
      inputSchema: {
        status: z.enum(['pending', 'succeeded', 'failed']).optional(),
        limit: z.number().int().min(1).max(100).optional(),
        cursor: z.string().optional(),
      },
    },
    (query) => run(() => api.listWebhookDeliveries(query)),
  );

  server.registerResource(
    'job-result',
    new ResourceTemplate(RESULT_URI, { list: undefined }),
    { title: "A job's result", description: 'The JSON result of a job, or the file of an image job.' },
    async (uri, { id }) => {
      const result = await api.getJobResult(String(id));
      const isText = /^(application\/(.+\+)?json|text\/)/.test(result.contentType);
      return {
        contents: [
          isText
            ? { uri: uri.href, mimeType: result.contentType, text: Buffer.from(result.body).toString('utf8') }
            : { uri: uri.href, mimeType: result.contentType, blob: Buffer.from(result.body).toString('base64') },
        ],
      };
    },
  );

  return server;
}

async function run(call: () => Promise<unknown>): Promise<CallToolResult> {
  try {
    const value = await call();
    return { content: [{ type: 'text', text: JSON.stringify(value ?? null, null, 2) }] };
  } catch (error) {
    return toolError(error);
  }
}

/** The problem's code, status and detail, in words an assistant can act on. */
export function toolError(error: unknown): CallToolResult {
  const e = (error ?? {}) as { code?: unknown; status?: unknown; detail?: unknown; problem?: { detail?: unknown }; message?: unknown; name?: unknown };
  const code = typeof e.code === 'string' && e.code.includes('.') ? e.code : e.name === 'WaitForJobTimeoutError' ? 'CLIENT.WAIT_TIMEOUT' : 'CLIENT.REQUEST_FAILED';
  const status = typeof e.status === 'number' ? e.status : undefined;
  const detail = String(e.problem?.detail ?? e.detail ?? e.message ?? 'the call failed');
  return {
    isError: true,
    content: [{ type: 'text', text: `${code}${status ? ` (${status})` : ''}: ${detail}` }],
    structuredContent: { error: { code, status: status ?? null, detail } },
  };
}
