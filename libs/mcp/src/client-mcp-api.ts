import type { ConveyorClient } from '@conveyor/client';
import type { ConveyorMcpApi } from './conveyor-mcp-api';

/**
 * The MCP port over the client SDK (the stdio server). Kept out of the library's index so
 * that the jobs service, which serves the same tools, never loads the SDK.
 */
export function clientMcpApi(client: ConveyorClient): ConveyorMcpApi {
  return {
    submitJob: (request) => client.jobs.submit(request),
    getJob: (id) => client.jobs.get(id),
    listJobs: (query) => client.jobs.list(query as Parameters<ConveyorClient['jobs']['list']>[0]),
    waitForJob: (id, timeoutMs) => client.jobs.waitForJob(id, { timeoutMs }),
    getBalance: () => client.billing.balance(),
    listWebhookDeliveries: (query) => client.webhooks.listMessages(query),
    getJobResult: (id) => client.jobs.result(id),
  };
}
