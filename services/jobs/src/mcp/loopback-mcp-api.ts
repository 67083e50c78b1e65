import { randomUUID } from 'node:crypto';
import { McpApiError, type ConveyorMcpApi } from '@conveyor/mcp';

const TERMINAL = ['succeeded', 'failed', 'canceled', 'rejected'];
const POLL_INTERVAL_MS = 250;

export interface LoopbackUrls {
  jobs: string;
  billing: string;
  webhooks: string;
}

/**
 * The MCP tools served by the jobs service act through the public API, with the caller's own
 * `Authorization` header: the same authentication, scopes, rate limits, ownership checks and
 * problem codes as any other client, and no second path into the jobs tables to keep in step.
 * The balance and the webhook log live in other services and need an access token; with an
 * API key they answer the 401 those services give.
 */
export function loopbackMcpApi(urls: LoopbackUrls, authorization: string): ConveyorMcpApi {
  const call = async (url: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) => {
    const response = await fetch(url, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: { authorization, ...(init.body !== undefined && { 'content-type': 'application/json' }), ...init.headers },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    if (!response.ok) throw await problemOf(response);
    return response;
  };
  const json = async (url: string, init?: Parameters<typeof call>[1]) => (await call(url, init)).json() as Promise<unknown>;
  const query = (params: Record<string, unknown>) => {
    const search = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined).map(([k, v]): [string, string] => [k, String(v)]));
    return search.size ? `?${search}` : '';
  };
  const getJob = (id: string) => json(`${urls.jobs}/v1/jobs/${encodeURIComponent(id)}`) as Promise<{ status: string }>;

  return {
    submitJob: ({ idempotencyKey, ...body }) =>
      json(`${urls.jobs}/v1/jobs`, { body, headers: { 'idempotency-key': idempotencyKey ?? randomUUID() } }),
    getJob,
    listJobs: (params) => json(`${urls.jobs}/v1/jobs${query(params)}`),
    // Polling, not the event stream: the call is short, and each poll is one indexed read.
    async waitForJob(id, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const job = await getJob(id);
        if (TERMINAL.includes(job.status)) return job;
        if (Date.now() + POLL_INTERVAL_MS > deadline) {
          throw new McpApiError(408, 'CLIENT.WAIT_TIMEOUT', `job ${id} is still ${job.status}; wait again or read it later`);
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
      }
    },
    getBalance: () => json(`${urls.billing}/v1/billing/balance`),
    listWebhookDeliveries: (params) => json(`${urls.webhooks}/v1/webhooks/messages${query(params)}`),
    async getJobResult(id) {
      const response = await call(`${urls.jobs}/v1/jobs/${encodeURIComponent(id)}/result`);
      return { contentType: response.headers.get('content-type') ?? 'application/octet-stream', body: new Uint8Array(await response.arrayBuffer()) };
    },
  };
}

async function problemOf(response: Response): Promise<McpApiError> {
  const body = (await response.json().catch(() => ({}))) as { code?: unknown; detail?: unknown };
  const code = typeof body.code === 'string' ? body.code : `HTTP.${response.status}`;
  return new McpApiError(response.status, code, typeof body.detail === 'string' ? body.detail : response.statusText);
}
