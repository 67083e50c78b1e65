#!/usr/bin/env node
// Conveyor's MCP server over stdio, for assistants that start their tools as processes:
//   CONVEYOR_API_KEY=ck_live_… node -r @swc-node/register libs/mcp/src/bin/stdio.ts
// CONVEYOR_EMAIL and CONVEYOR_PASSWORD add a session, which the balance and the webhook log
// need. CONVEYOR_URL puts every service behind one origin; CONVEYOR_<JOBS|AUTH|BILLING|WEBHOOKS>_URL
// name each one (default: the local development ports). stdout carries the protocol only.
import { ConveyorClient } from '@conveyor/client';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { clientMcpApi } from '../client-mcp-api';
import { createConveyorMcpServer } from '../create-mcp-server';

async function main(env = process.env): Promise<void> {
  const client = new ConveyorClient({
    baseUrl: env['CONVEYOR_URL'],
    urls: { jobs: env['CONVEYOR_JOBS_URL'], auth: env['CONVEYOR_AUTH_URL'], billing: env['CONVEYOR_BILLING_URL'], webhooks: env['CONVEYOR_WEBHOOKS_URL'] },
    apiKey: env['CONVEYOR_API_KEY'],
  });
  const email = env['CONVEYOR_EMAIL'];
  const password = env['CONVEYOR_PASSWORD'];
  if (!env['CONVEYOR_API_KEY'] && !(email && password)) {
    process.stderr.write('conveyor-mcp: set CONVEYOR_API_KEY (and/or CONVEYOR_EMAIL and CONVEYOR_PASSWORD)\n');
    process.exit(2);
  }
  if (email && password) await client.auth.login({ email, password });
  const server = createConveyorMcpServer(clientMcpApi(client));
  await server.connect(new StdioServerTransport());
}

main().catch((error: unknown) => {
  process.stderr.write(`conveyor-mcp: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
