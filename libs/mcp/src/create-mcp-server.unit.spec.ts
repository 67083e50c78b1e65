import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { McpApiError, type ConveyorMcpApi } from './conveyor-mcp-api';
import { createConveyorMcpServer } from './create-mcp-server';

describe('the Conveyor MCP server (in memory, fake API)', () => {
  const job = { id: 'j1', status: 'succeeded', result: { hello: 'mcp' } };
  const api: ConveyorMcpApi = {
    submitJob: jest.fn(async () => ({ id: 'j1', status: 'pending' })),
    getJob: jest.fn(async (id: string) => {
      if (id !== 'j1') throw new McpApiError(404, 'JOBS.JOB_NOT_FOUND', 'no such job');
      return job;
    }),
    listJobs: jest.fn(async () => ({ items: [job], nextCursor: null })),
    waitForJob: jest.fn(async () => job),
    getBalance: jest.fn(async () => {
      throw Object.assign(new Error('boom'), { status: 401, code: 'AUTH.UNAUTHENTICATED', problem: { detail: 'an access token is needed' } });
    }),
    listWebhookDeliveries: jest.fn(async () => ({ items: [], nextCursor: null })),
    getJobResult: jest.fn(async () => ({ contentType: 'image/webp', body: new Uint8Array([1, 2, 3]) })),
  };

  async function connect() {
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await createConveyorMcpServer(api).connect(serverSide);
    const client = new Client({ name: 'spec', version: '1' });
    await client.connect(clientSide);
    return client;
  }

  it('passes tool arguments to the API and answers its JSON', async () => {
    const client = await connect();

    const result = (await client.callTool({ name: 'submit_job', arguments: { type: 'echo', input: { a: 1 }, idempotencyKey: 'k' } })) as CallToolResult;
    const waited = (await client.callTool({ name: 'wait_for_job', arguments: { id: 'j1', timeoutSeconds: 500 } })) as CallToolResult;

    expect(JSON.parse((result.content[0] as { text: string }).text)).toEqual({ id: 'j1', status: 'pending' });
    expect(api.submitJob).toHaveBeenCalledWith({ type: 'echo', input: { a: 1 }, idempotencyKey: 'k', metadata: undefined, webhookUrl: undefined });
    expect(waited.isError).toBeFalsy();
    expect(api.waitForJob).toHaveBeenCalledWith('j1', 120_000); // capped
  });

  it('turns API problems and missing arguments into tool errors with their codes', async () => {
    const client = await connect();

    const missing = (await client.callTool({ name: 'get_job', arguments: { id: 'nope' } })) as CallToolResult;
    const balance = (await client.callTool({ name: 'get_balance', arguments: {} })) as CallToolResult;
    const noId = (await client.callTool({ name: 'get_job', arguments: {} })) as CallToolResult;

    expect(missing).toMatchObject({ isError: true, structuredContent: { error: { code: 'JOBS.JOB_NOT_FOUND', status: 404 } } });
    expect((balance.content[0] as { text: string }).text).toBe('AUTH.UNAUTHENTICATED (401): an access token is needed');
    expect(noId).toMatchObject({ isError: true, structuredContent: { error: { code: 'REQUEST.INVALID' } } });
    // and the server is still there
    expect((await client.listTools()).tools).toHaveLength(6);
  });

  it('offers a file result as a base64 blob resource', async () => {
    const client = await connect();

    const templates = await client.listResourceTemplates();
    const read = await client.readResource({ uri: 'conveyor://jobs/j1/result' });

    expect(templates.resourceTemplates[0].uriTemplate).toBe('conveyor://jobs/{id}/result');
    expect(read.contents[0]).toEqual({ uri: 'conveyor://jobs/j1/result', mimeType: 'image/webp', blob: 'AQID' });
  });
});
