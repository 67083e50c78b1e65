import { topologyNames } from '@conveyor/messaging';
import { deleteBrokerObjects, freePorts, TEST_DATABASE_URL, uniqueName } from '@conveyor/testing';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { REPO_ROOT } from './support/service-process';

/** The five services and the console, on consecutive ports from `--port-base`. */
const PORTS = 6;

/** What the issue asks the report to show, each beside its target. */
const TARGET_ROWS: [figure: RegExp, target: string][] = [
  [/^\| POST \/v1\/jobs, \d+ connections: requests\/s \|/, '≥ 2,200'],
  [/^\| POST \/v1\/jobs, \d+ connections: p99 \|/, '≤ 50 ms'],
  [/^\| POST \/v1\/jobs, \d+ connections: share of the DB ceiling \|/, '≥ 50 %'],
  [/^\| GET \/v1\/jobs\/:id, \d+ connections: requests\/s \|/, '≥ 4,500'],
  [/^\| GET \/v1\/jobs\/:id, \d+ connections: p99 \|/, '≤ 20 ms'],
  [/^\| End to end: highest rate sustained/, '≥ 300 jobs/s'],
  [/^\| End to end at 100 jobs\/s: p50 \|/, '≤ 100 ms'],
  [/^\| Event hop p50 \/ raw broker round trip p50 \|/, '≤ 3×'],
  [/^\| Event hop p99 \|/, '≤ 25 ms'],
  ...['jobs', 'auth', 'user', 'billing', 'webhook-delivery'].map((service): [RegExp, string] => [new RegExp(`^\\| ${service}: peak RSS \\|`), '≤ 150 MB']),
];

/** A run of `PORTS` free ports in a row; the bench refuses to start on a port in use. */
async function consecutiveFreePorts(): Promise<number> {
  for (;;) {
    const [base] = await freePorts(1);
    if (base + PORTS > 65_535) continue;
    const all = Array.from({ length: PORTS }, (_, i) => base + i);
    if ((await Promise.all(all.map(canListen))).every(Boolean)) return base;
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function runBench(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      'npm',
      ['run', '--silent', 'bench', '--', ...args],
      { cwd: REPO_ROOT, env: { ...process.env, NX_DAEMON: 'false' }, timeout: 420_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}\n${stderr}` }),
    );
  });
}

/**
 * Issue 8's harness as a user runs it (`npm run bench -- --quick`, its phases shortened), on a
 * database, namespace, ports and results directory of its own. Its figures measure the machine
 * and are never asserted; what is asserted is that the run completes and writes both reports,
 * and that the readable one shows every figure of the issue beside its target.
 */
describe('npm run bench -- --quick', () => {
  const database = uniqueName('bench');
  const namespace = uniqueName('bench');
  const resultsDir = mkdtempSync(join(tmpdir(), 'conveyor-bench-'));

  afterAll(async () => {
    rmSync(resultsDir, { recursive: true, force: true });
    const admin = new Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).finally(() => admin.end());
    for (const service of ['auth', 'user', 'billing', 'jobs', 'webhook-delivery']) {
      const names = topologyNames(namespace, service);
      await deleteBrokerObjects({
        queues: [names.queue, names.deadLetterQueue, names.workQueue],
        exchanges: [names.exchange, names.deadLetterExchange],
      });
    }
  });

  it('runs every phase and writes the JSON report and latest.md with each target of the issue', async () => {
    const portBase = await consecutiveFreePorts();
    const { code, output } = await runBench([
      '--quick',
      ...['--results-dir', resultsDir, '--database', database, '--namespace', namespace, '--port-base', String(portBase)],
      // The report's HTTP targets are for 50 connections; one end-to-end rate is enough here.
      ...['--clients', '2', '--rates', '10', '--rate-seconds', '2', '--http-seconds', '1', '--connections', '50'],
    ]);

    expect({ code, tail: output.split('\n').slice(-15).join('\n') }).toMatchObject({ code: 0 });
    const files = readdirSync(resultsDir);
    expect(files).toEqual(expect.arrayContaining(['latest.md', 'latest.svg']));
    const [json] = files.filter((file) => file.endsWith('.json'));
    const report = JSON.parse(readFileSync(join(resultsDir, json), 'utf8')) as { broken: string[]; mode: string };
    expect(report).toMatchObject({ broken: [], mode: 'quick' });

    const lines = readFileSync(join(resultsDir, 'latest.md'), 'utf8').split('\n');
    for (const [figure, target] of TARGET_ROWS) {
      const row = lines.find((line) => figure.test(line));
      expect({ figure: figure.source, row }).toEqual({ figure: figure.source, row: expect.stringContaining(`| ${target} |`) });
    }
  }, 480_000);
});
