import { cpus, loadavg } from 'node:os';
import type { LoadResult } from './load';
import type { FaultRecord } from './faults';
import { format, type InvariantResult } from './invariants';
import type { SubmittedJob } from './clients';
import { callStats } from './balanced-call';

export interface RunFacts {
  mode: string;
  startedAt: Date;
  setupSeconds: number;
  loadSeconds: number;
  quiescenceSeconds: number;
  quiesced: boolean;
  clients: number;
  load: LoadResult;
  faults: FaultRecord[];
  invariants: InvariantResult[];
  loadAverages: number[][];
  logDir: string;
}

/** The run's report, in Markdown: figures, faults, invariants with ids, recovery times, machine load. */
export function renderReport(facts: RunFacts): string {
  const ok = facts.invariants.every((invariant) => invariant.ok);
  const kinds: Record<string, number> = {};
  for (const job of facts.load.submitted) kinds[job.kind] = (kinds[job.kind] ?? 0) + 1;
  const canceled = facts.load.submitted.filter((job: SubmittedJob) => job.cancelStatus === 200).length;
  const kills = facts.faults.filter((fault) => fault.kind === 'sigkill');
  const perService: Record<string, number> = {};
  for (const kill of kills) {
    const service = kill.target.replace(/-\d+$/, '');
    perService[service] = (perService[service] ?? 0) + 1;
  }
  const recoveries = kills.map((kill) => kill.recoverySeconds ?? 0).sort((a, b) => a - b);
  const peak = Math.max(...facts.loadAverages.map((l) => l[0]));
  const mean = facts.loadAverages.reduce((sum, l) => sum + l[0], 0) / Math.max(1, facts.loadAverages.length);
  const lines = [
    `# Chaos run, ${facts.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC (${facts.mode})`,
    '',
    `**Result: ${ok ? 'PASS' : 'FAIL'}** — ${facts.invariants.filter((i) => i.ok).length} of ${facts.invariants.length} invariants hold.`,
    '',
    '## Figures',
    '',
    `| | |`,
    `| --- | --- |`,
    `| clients | ${facts.clients}, each with its own loopback receiver verifying Standard Webhooks signatures |`,
    `| jobs acknowledged (202) | ${facts.load.submitted.length} (${format(kinds)}) |`,
    `| submissions given up by a client | ${facts.load.failures.length} |`,
    `| planned jobs not submitted (the stream's time was up) | ${facts.load.notSubmitted} |`,
    `| cancels that won (200) | ${canceled} |`,
    `| users registered during the run | ${facts.load.registeredUsers} (failed: ${facts.load.registrationFailures.length}) |`,
    `| client requests | ${callStats.requests}; network errors ${callStats.networkErrors}, retried statuses ${callStats.retriedStatuses} |`,
    `| set-up / load with faults / quiescence | ${facts.setupSeconds} s / ${facts.loadSeconds} s / ${facts.quiescenceSeconds} s${facts.quiesced ? '' : ' (timed out)'} |`,
    `| machine | ${cpus().length} cores; 1-min load average mean ${mean.toFixed(1)}, peak ${peak.toFixed(1)} during the run (other engineers' suites share it) |`,
    '',
    '## Faults injected',
    '',
    `${kills.length} SIGKILLs (${format(perService)}), ${facts.faults.length - kills.length} other faults. Recovery: from the fault until every instance answered \`/health/ready\` again` +
      ` (a kill's includes the 1–3 s the process stayed down and its restart). SIGKILL recovery median ${median(recoveries)} s, max ${recoveries.at(-1) ?? 0} s.`,
    '',
    '| at (s) | fault | target | down (s) | recovery (s) |',
    '| --- | --- | --- | --- | --- |',
    ...facts.faults
      .slice()
      .sort((a, b) => a.at - b.at)
      .map((f) => `| ${f.at} | ${f.kind} | ${f.target} | ${f.downSeconds} | ${f.recoverySeconds ?? '—'}${f.error ? ` (${f.error.slice(0, 80)})` : ''} |`),
    '',
    '## Invariants',
    '',
    ...facts.invariants.flatMap((invariant) => [
      `- ${invariant.ok ? 'PASS' : '**FAIL**'} ${invariant.name}: ${invariant.summary}`,
      ...invariant.details.map((detail) => `  - ${detail}`),
    ]),
    '',
    ...(facts.load.failures.length ? ['## Submissions given up', '', ...facts.load.failures.slice(0, 20).map((f) => `- ${f}`), ''] : []),
    `Service logs of this run: \`${facts.logDir}\` (one file per instance, across its restarts).`,
    '',
  ];
  return lines.join('\n');
}

function median(values: number[]): number {
  return values.length ? values[Math.floor(values.length / 2)] : 0;
}

export function sampleLoad(into: number[][]): NodeJS.Timeout {
  return setInterval(() => into.push(loadavg()), 5_000);
}
