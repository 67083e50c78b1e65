/**
 * What the MCP tools need from Conveyor, as a port: the stdio server implements it with the
 * client SDK, the jobs service's `/mcp` route with calls to the public API on behalf of the
 * caller. Errors thrown by an implementation should carry the problem's `code` and `status`.
 */
export interface ConveyorMcpApi {
  submitJob(request: { type: string; input: Record<string, unknown>; metadata?: Record<string, unknown>; webhookUrl?: string; idempotencyKey?: string }): Promise<unknown>;
  getJob(id: string): Promise<unknown>;
  listJobs(query: { status?: string; type?: string; limit?: number; cursor?: string }): Promise<unknown>;
  /** Resolves with the job once it is final; rejects when it is not within `timeoutMs`. */
  waitForJob(id: string, timeoutMs: number): Promise<unknown>;
  getBalance(): Promise<unknown>;
  listWebhookDeliveries(query: { status?: 'pending' | 'succeeded' | 'failed'; limit?: number; cursor?: string }): Promise<unknown>;
  getJobResult(id: string): Promise<{ contentType: string; body: Uint8Array }>;
}

/** An error with a problem-details code, for implementations that have no richer type. */
export class McpApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}
