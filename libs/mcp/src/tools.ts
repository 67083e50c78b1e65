import type { ConveyorMcpApi } from './conveyor-mcp-api';

/** A tool as MCP lists it, with the call it makes. Inputs are JSON Schema; the API validates the rest. */
export interface ConveyorTool {
  name: string;
  title: string;
  description: string;
  inputSchema: { type: 'object'; properties: Record<string, unknown>; required?: string[]; additionalProperties?: boolean };
  call(api: ConveyorMcpApi, args: Record<string, unknown>): Promise<unknown>;
}

const JOB_STATUSES = ['pending', 'queued', 'running', 'succeeded', 'failed', 'canceled', 'rejected'];
/** An MCP call should not hold a connection open for minutes. */
export const MAX_WAIT_SECONDS = 120;
export const RESULT_URI_TEMPLATE = 'conveyor://jobs/{id}/result';

const jobId = { type: 'string', description: 'the job id (a UUID)' };
const page = { limit: { type: 'integer', minimum: 1, maximum: 100 }, cursor: { type: 'string', description: 'nextCursor of the previous page' } };
const object = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object' as const, properties, required, additionalProperties: false });
const optional = <T>(value: unknown, guard: (v: unknown) => v is T): T | undefined => (guard(value) ? value : undefined);
const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number';
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export const CONVEYOR_TOOLS: ConveyorTool[] = [
  {
    name: 'submit_job',
    title: 'Submit a job',
    description:
      'Submits a job and answers its id and status (pending). Types: echo (input is any object; delayMs, failWith), ' +
      'image.transform (input { imageUrl, operations }), vendor.call (input { vendor, payload }). A job costs credits when it succeeds.',
    inputSchema: object(
      {
        type: { type: 'string', description: 'the job type, e.g. echo' },
        input: { type: 'object', description: "the job's input" },
        metadata: { type: 'object' },
        webhookUrl: { type: 'string', format: 'uri', description: 'where the signed outcome is POSTed' },
        idempotencyKey: { type: 'string', description: 'send the same key again to make a retried submit run once' },
      },
      ['type', 'input'],
    ),
    call: (api, args) =>
      api.submitJob({
        type: String(args['type']),
        input: isObject(args['input']) ? args['input'] : {},
        metadata: optional(args['metadata'], isObject),
        webhookUrl: optional(args['webhookUrl'], isString),
        idempotencyKey: optional(args['idempotencyKey'], isString),
      }),
  },
  {
    name: 'get_job',
    title: 'Get a job',
    description: "A job's status, its result or error, and its trace id.",
    inputSchema: object({ id: jobId }, ['id']),
    call: (api, args) => api.getJob(String(args['id'])),
  },
  {
    name: 'list_jobs',
    title: 'List jobs',
    description: "The client's jobs, newest first, a page at a time (pass nextCursor back as cursor for the next).",
    inputSchema: object({ status: { type: 'string', enum: JOB_STATUSES }, type: { type: 'string' }, ...page }),
    call: (api, args) =>
      api.listJobs({
        status: optional(args['status'], isString),
        type: optional(args['type'], isString),
        limit: optional(args['limit'], isNumber),
        cursor: optional(args['cursor'], isString),
      }),
  },
  {
    name: 'wait_for_job',
    title: 'Wait for a job',
    description: `Waits until the job is final (succeeded, failed, canceled or rejected) and answers it; at most ${MAX_WAIT_SECONDS} s, 30 unless told.`,
    inputSchema: object({ id: jobId, timeoutSeconds: { type: 'number', minimum: 1, maximum: MAX_WAIT_SECONDS } }, ['id']),
    call: (api, args) => {
      const seconds = Math.min(MAX_WAIT_SECONDS, Math.max(1, optional(args['timeoutSeconds'], isNumber) ?? 30));
      return api.waitForJob(String(args['id']), seconds * 1000);
    },
  },
  {
    name: 'get_balance',
    title: 'Read the balance',
    description: 'Available and reserved credits, and the plan. Needs a signed-in session (an access token), not only an API key.',
    inputSchema: object({}),
    call: (api) => api.getBalance(),
  },
  {
    name: 'list_webhook_deliveries',
    title: 'List webhook deliveries',
    description: 'Webhook messages newest first, each with its deliveries and their state. Needs a signed-in session.',
    inputSchema: object({ status: { type: 'string', enum: ['pending', 'succeeded', 'failed'] }, ...page }),
    call: (api, args) =>
      api.listWebhookDeliveries({
        status: optional(args['status'], (v): v is 'pending' | 'succeeded' | 'failed' => ['pending', 'succeeded', 'failed'].includes(String(v))),
        limit: optional(args['limit'], isNumber),
        cursor: optional(args['cursor'], isString),
      }),
  },
];
