// Writes bench/results/<timestamp>.json, bench/results/latest.md (figures beside their targets)
// and bench/results/latest.svg (latency over time, per phase).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const fmt = (n, unit = '') => (n === null || n === undefined || Number.isNaN(n) ? '–' : `${n.toLocaleString('en-US')}${unit}`);
const verdict = (ok) => (ok === undefined ? '' : ok ? '✅ met' : '❌ not met');

/** Rows of (figure, measured, target, met) from the run's results. */
export function targetRows(r) {
  const rows = [];
  const post50 = r.post?.find((p) => p.connections === 50);
  const ceil50 = r.ceiling?.find((c) => c.connections === 50);
  if (post50) {
    rows.push(['POST /v1/jobs, 50 connections: requests/s', fmt(post50.requestsPerSecond), '≥ 2,200', post50.requestsPerSecond >= 2200]);
    rows.push(['POST /v1/jobs, 50 connections: p99', fmt(post50.latencyMs.p99, ' ms'), '≤ 50 ms', post50.latencyMs.p99 <= 50]);
    if (ceil50) {
      const share = post50.requestsPerSecond / ceil50.transactionsPerSecond;
      rows.push([
        'POST /v1/jobs, 50 connections: share of the DB ceiling',
        `${Math.round(share * 100)} % (${fmt(post50.requestsPerSecond)} of ${fmt(ceil50.transactionsPerSecond)} tx/s)`,
        '≥ 50 %',
        share >= 0.5,
      ]);
    }
  }
  const get50 = r.get?.find((g) => g.connections === 50);
  if (get50) {
    rows.push(['GET /v1/jobs/:id, 50 connections: requests/s', fmt(get50.requestsPerSecond), '≥ 4,500', get50.requestsPerSecond >= 4500]);
    rows.push(['GET /v1/jobs/:id, 50 connections: p99', fmt(get50.latencyMs.p99, ' ms'), '≤ 20 ms', get50.latencyMs.p99 <= 20]);
  }
  if (r.endToEnd?.length) {
    const best = r.endToEndSustainedRate;
    rows.push(['End to end: highest rate sustained (p99 ≤ 1 s, nothing lost)', best ? `${best} jobs/s` : 'none', '≥ 300 jobs/s', (best ?? 0) >= 300]);
    const at100 = r.endToEnd.find((e) => e.rate === 100);
    if (at100) rows.push(['End to end at 100 jobs/s: p50', fmt(at100.latencyMs.p50, ' ms'), '≤ 100 ms', at100.latencyMs.p50 !== null && at100.latencyMs.p50 <= 100]);
    else rows.push(['End to end at 100 jobs/s: p50', 'not run (not in --rates)', '≤ 100 ms', undefined]);
  }
  if (r.eventHop && r.brokerRoundTrip) {
    const hop = r.eventHop.combined;
    const raw = r.brokerRoundTrip.roundTripMs;
    const ratio = hop.p50 / raw.p50;
    rows.push([
      'Event hop p50 / raw broker round trip p50',
      `${ratio.toFixed(1)}× (${fmt(hop.p50, ' ms')} / ${fmt(raw.p50, ' ms')})`,
      '≤ 3×',
      ratio <= 3,
    ]);
    rows.push(['Event hop p99', fmt(hop.p99, ' ms'), '≤ 25 ms', hop.p99 <= 25]);
    const lightest = Math.min(...Object.keys(r.eventHopByRate ?? {}).map(Number));
    const light = r.eventHopByRate?.[lightest];
    if (light?.count) {
      const lightRatio = light.p50 / raw.p50;
      rows.push([
        `Event hop at ${lightest} jobs/s only: p50 / raw broker round trip p50`,
        `${lightRatio.toFixed(1)}× (${fmt(light.p50, ' ms')} / ${fmt(raw.p50, ' ms')})`,
        '≤ 3×',
        lightRatio <= 3,
      ]);
      rows.push([`Event hop at ${lightest} jobs/s only: p99`, fmt(light.p99, ' ms'), '≤ 25 ms', light.p99 <= 25]);
    }
  }
  for (const [name, s] of Object.entries(r.processes ?? {})) {
    rows.push([`${name}: peak RSS`, `${s.peakRssMb} MB`, '≤ 150 MB', s.peakRssMb <= 150]);
  }
  return rows;
}

function table(headers, rows) {
  return [`| ${headers.join(' | ')} |`, `| ${headers.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

const codes = (c) =>
  Object.entries(c ?? {})
    .map(([code, n]) => `${code}: ${n}`)
    .join(', ');

export function markdown(r, svgName) {
  const lines = [];
  lines.push(`# Conveyor bench — ${r.startedAt}${r.mode === 'quick' ? ' (quick)' : ''}`);
  lines.push('');
  lines.push(
    `Mode **${r.mode}**, ${r.machine.cpus} CPUs, Node ${r.machine.node}, load average at start ${r.machine.loadAverageAtStart.join(' / ')}, at the end ${r.machine.loadAverageAtEnd?.join(' / ') ?? '–'}. ` +
      `Platform: ${r.platform.mode}; ${r.clients} bench clients on plan pro; WORKER_CONCURRENCY ${r.platform.workerConcurrency ?? '(as running)'}. ` +
      `Outcome: **${r.broken.length ? `broken (${r.broken.join('; ')})` : 'run completed'}**.`,
  );
  const waits = Object.values(r.processes ?? {}).flatMap((p) => Object.values(p.runQueueWaitPercentByPhase ?? {}));
  if (waits.length) {
    const mean = Math.round(waits.reduce((a, b) => a + b, 0) / waits.length);
    const other = otherWorkPercent(r);
    const verdict =
      mean < 20
        ? ''
        : other === undefined || other >= 25
          ? ` **The machine was busy with other work${other === undefined ? '' : ` (${other} % of a core on average)`}: these figures do not measure Conveyor alone.**`
          : ` The platform, Postgres, RabbitMQ and the bench kept the cores busy by themselves (other processes used ${other} % of a core on average): **the figures measure Conveyor on a saturated machine.**`;
    lines.push(
      '',
      `CPU starvation: the services' main threads waited for a CPU ${mean} % of their runnable time on average (near 0 on a quiet machine; see the table under "Service processes").` +
        verdict,
    );
  }
  lines.push('', 'Bottlenecks found so far, their evidence and what would remove them: [bench/README.md, Findings](../README.md#findings-on-the-development-machine-27-november-2026).');
  if (r.mode === 'quick') lines.push('', '_Quick mode: phases of a few seconds; figures are indicative only. The targets are for the full run on a quiet machine._');
  lines.push('', '## Targets', '', table(['figure', 'measured', 'target', ''], targetRows(r).map(([a, b, c, d]) => [a, b, c, verdict(d)])));

  lines.push('', '## HTTP (autocannon, closed loop)', '');
  lines.push(
    table(
      ['phase', 'connections', 'seconds', 'requests/s', 'p50', 'p90', 'p99', 'max', 'status codes', 'errors / timeouts'],
      [...(r.post ?? []), ...(r.get ?? [])].map((p) => [
        p.phase,
        p.connections,
        p.durationSeconds,
        fmt(p.requestsPerSecond),
        fmt(p.latencyMs.p50, ' ms'),
        fmt(p.latencyMs.p90, ' ms'),
        fmt(p.latencyMs.p99, ' ms'),
        fmt(p.latencyMs.max, ' ms'),
        codes(p.statusCodes),
        `${p.errors} / ${p.timeouts}`,
      ]),
    ),
  );
  const withDb = [...(r.post ?? []), ...(r.get ?? [])].filter((p) => p.database);
  if (withDb.length) {
    lines.push('', 'Database work per request (pg_stat counters of the bench database; commits include every service\'s background work, table rows only the jobs schema):', '');
    lines.push(
      table(
        ['phase', 'connections', 'commits', 'rows written and scans per table'],
        withDb.map((p) => [
          p.phase,
          p.connections,
          p.database.commitsPerRequest,
          Object.entries(p.database.tablesPerRequest)
            .map(([t, v]) => `${t.replace('jobs.', '')}: ${Object.entries(v).map(([k, n]) => `${k} ${n}`).join(' ')}`)
            .join('; '),
        ]),
      ),
    );
  }
  const withActivity = withDb.filter((p) => p.database.activity?.length);
  if (withActivity.length) {
    lines.push('', 'Postgres connections of the bench database during each phase (pg_stat_activity every 200 ms: mean connections per application, state and wait event; `cpu` = active, not waiting):', '');
    lines.push(
      table(
        ['phase', 'connections', 'where the connections are'],
        withActivity.map((p) => [
          p.phase,
          p.connections,
          p.database.activity.map((a) => `${a.app} ${a.state}${a.wait ? ` ${a.wait}` : ''}: ${a.connections}`).join('; '),
        ]),
      ),
    );
  }
  if (r.ceiling?.length) {
    lines.push('', '### Database ceiling (job + outbox insert transaction through pg)', '');
    lines.push(
      table(
        ['in flight', 'pool', 'transactions/s', 'p50', 'p90', 'p99', 'max', 'errors', 'POST req/s as share'],
        r.ceiling.map((c) => {
          const post = r.post?.find((p) => p.connections === c.connections);
          return [
            c.connections,
            c.poolSize,
            fmt(c.transactionsPerSecond),
            fmt(c.latencyMs.p50, ' ms'),
            fmt(c.latencyMs.p90, ' ms'),
            fmt(c.latencyMs.p99, ' ms'),
            fmt(c.latencyMs.max, ' ms'),
            c.errors,
            post ? `${Math.round((100 * post.requestsPerSecond) / c.transactionsPerSecond)} %` : '–',
          ];
        }),
      ),
    );
  }
  if (r.endToEnd?.length) {
    lines.push('', '## End to end (submit → signed webhook at a loopback receiver)', '');
    lines.push(
      table(
        ['rate', 'seconds', 'submitted', 'achieved rate', 'accepted', 'arrived in time', 'p50', 'p95', 'p99', 'max', 'POST p99', 'sustained'],
        r.endToEnd.map((e) => [
          `${e.rate}/s`,
          e.seconds,
          e.submitted,
          `${e.achievedSubmitRate}/s`,
          e.accepted,
          e.arrived,
          fmt(e.latencyMs.p50, ' ms'),
          fmt(e.latencyMs.p95, ' ms'),
          fmt(e.latencyMs.p99, ' ms'),
          fmt(e.latencyMs.max, ' ms'),
          fmt(e.submitLatencyMs.p99, ' ms'),
          e.sustained ? 'yes' : 'no',
        ]),
      ),
    );
    const withStages = r.endToEnd.filter((e) => e.stagesMs);
    if (withStages.length) {
      const names = Object.keys(withStages[0].stagesMs);
      lines.push('', 'Where the time goes (p50 / p99 per stage, from the job\'s own timestamps; the billing stage is two event hops):', '');
      lines.push(table(['rate', ...names], withStages.map((e) => [`${e.rate}/s`, ...names.map((n) => `${fmt(e.stagesMs[n].p50, ' ms')} / ${fmt(e.stagesMs[n].p99, ' ms')}`)])));
    }
    if (r.endToEndSkipped?.length) lines.push('', `Rates not run (a lower one was not sustained): ${r.endToEndSkipped.join(', ')} jobs/s.`);
    const w = r.webhooks;
    if (w) lines.push('', `Receiver: ${w.verified} verified webhooks, ${w.badSignatures} bad signatures, ${w.duplicates} duplicates, ${w.lost} jobs lost (no webhook by the end of the run).`);
    const st = r.statements;
    if (st?.unavailable) lines.push('', `Statements per job: not measured, ${st.unavailable}.`);
    if (st?.top) {
      lines.push(
        '',
        `Statements per job (pg_stat_statements over the ${st.jobs} end-to-end jobs, every service and background loop included): ${st.statementsPerJob} statements, ${st.commitsPerJob} commits. Those with the most time in total (time waiting for locks included):`,
        '',
      );
      lines.push(table(['per job', 'total', 'mean', 'statement'], st.top.map((q) => [q.callsPerJob, fmt(q.totalMs, ' ms'), fmt(q.meanMs, ' ms'), `\`${q.query.replace(/\|/g, '\\|')}\``])));
    }
  }
  if (r.eventHop) {
    lines.push('', '## Event hop (outbox row → consumer inbox row, from the database) vs raw broker round trip', '');
    const rows = [];
    for (const [type, v] of Object.entries(r.eventHop)) {
      if (type === 'combined') continue;
      rows.push([type, v.hopMs.count, fmt(v.hopMs.p50, ' ms'), fmt(v.hopMs.p99, ' ms'), fmt(v.hopMs.max, ' ms'), fmt(v.untilRelayPickedUpMs.p50, ' ms'), fmt(v.untilRelayPickedUpMs.p99, ' ms')]);
    }
    const c = r.eventHop.combined;
    rows.push(['both legs', c.count, fmt(c.p50, ' ms'), fmt(c.p99, ' ms'), fmt(c.max, ' ms'), '', '']);
    for (const [rate, h] of Object.entries(r.eventHopByRate ?? {})) {
      if (h.count) rows.push([`both legs, jobs of ${rate} jobs/s only`, h.count, fmt(h.p50, ' ms'), fmt(h.p99, ' ms'), fmt(h.max, ' ms'), '', '']);
    }
    if (r.brokerRoundTrip) {
      const b = r.brokerRoundTrip;
      rows.push([`raw broker round trip (amqplib, persistent, confirms, quorum queue, ${b.messages} messages one at a time)`, b.roundTripMs.count, fmt(b.roundTripMs.p50, ' ms'), fmt(b.roundTripMs.p99, ' ms'), fmt(b.roundTripMs.max, ' ms'), '', '']);
      rows.push(['raw publish → confirm', b.confirmMs.count, fmt(b.confirmMs.p50, ' ms'), fmt(b.confirmMs.p99, ' ms'), fmt(b.confirmMs.max, ' ms'), '', '']);
    }
    lines.push(table(['hop', 'samples', 'p50', 'p99', 'max', 'until the relay picked the row up p50', 'p99'], rows));
    lines.push('', 'Hops are measured on the end-to-end phases\' jobs. Both timestamps are `now()` of their transactions (its start): a hop includes the producer\'s transaction and excludes the consumer\'s.');
  }
  if (r.processes) {
    lines.push('', '## Service processes', '');
    const phases = [...new Set(Object.values(r.processes).flatMap((s) => Object.keys(s.cpuPercentByPhase)))];
    lines.push(
      table(
        ['service', 'pid', 'RSS when ready', 'peak RSS', 'CPU seconds', 'mean CPU', 'peak CPU (500 ms)', ...phases.map((p) => `CPU in ${p}`)],
        Object.entries(r.processes).map(([name, s]) => [
          name,
          s.pid,
          `${s.rssAtStartMb} MB`,
          `${s.peakRssMb} MB`,
          s.cpuSeconds,
          `${s.meanCpuPercent} %`,
          `${s.peakCpuPercent} %`,
          ...phases.map((p) => (s.cpuPercentByPhase[p] === undefined ? '–' : `${s.cpuPercentByPhase[p]} %`)),
        ]),
      ),
    );
    const machine = r.machineCpuByPhase ?? {};
    if (Object.keys(machine).length > 0) {
      lines.push('', 'The rest of the machine in the same phases: Postgres (all its processes), RabbitMQ, and how busy the machine was in all (of 200 % on two cores).', '');
      const rows = [
        ['postgres', 'postgres'],
        ['rabbitmq', 'rabbitmq'],
        ['machine busy', 'machine'],
      ];
      lines.push(table(['', ...phases], rows.map(([label, key]) => [label, ...phases.map((p) => (machine[p]?.[key] === undefined ? '–' : `${machine[p][key]} %`))])));
    }
    if (r.benchCpuPercentByPhase) {
      lines.push('', `The bench process itself (load generators, receiver, sampling): ${Object.entries(r.benchCpuPercentByPhase).map(([p, c]) => `${p} ${c} %`).join(', ')}.`);
    }
    lines.push('', 'CPU: 100 % is one core.');
    lines.push('', 'CPU starvation: of the time each main thread was runnable, the share it waited for a CPU (`/proc/<pid>/schedstat`). Near 0 on a quiet machine; high values mean the figures above measure the machine\'s other load as much as Conveyor.', '');
    lines.push(
      table(
        ['service', ...phases],
        Object.entries(r.processes).map(([name, s]) => [name, ...phases.map((p) => (s.runQueueWaitPercentByPhase?.[p] === undefined ? '–' : `${s.runQueueWaitPercentByPhase[p]} %`))]),
      ),
    );
  }
  const profiled = [
    ...(r.endToEnd ?? []).map((p) => [`end to end at ${p.rate} jobs/s`, p]),
    ...(r.get ?? []).map((p) => [`GET at ${p.connections} connections`, p]),
    ...(r.post ?? []).map((p) => [`POST at ${p.connections} connections`, p]),
  ];
  for (const [phase, p] of profiled.filter(([, p]) => p.profile?.top)) {
    lines.push('', `## CPU profile of jobs during ${phase} (self time, top frames)`, '', `\`${p.profile.file}\` (open in Chrome DevTools or speedscope)`, '');
    lines.push(table(['self', 'frame'], p.profile.top.slice(0, 20).map((f) => [`${f.selfPercent} %`, `\`${f.frame}\``])));
  }
  lines.push('', '## Latency over time', '', `![latency over time](${svgName})`, '');
  lines.push('p50 (solid) and p99 (dashed) per second of each phase, log scale. End-to-end points are placed at the submission time.', '');
  return lines.join('\n');
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22', '#393b79', '#637939'];

/** A hand-made SVG line chart: x = seconds since the first measured phase, y = latency (ms, log10). */
export function svgChart(r) {
  const phases = [
    ...(r.endToEnd ?? []).map((p) => ({ name: `e2e ${p.rate}/s`, points: p.series })),
    ...(r.get ?? []).map((p) => ({ name: `GET ${p.connections}c`, points: p.series })),
    ...(r.ceiling ?? []).map((p) => ({ name: `DB ceiling ${p.connections}`, points: p.series })),
    ...(r.post ?? []).map((p) => ({ name: `POST ${p.connections}c`, points: p.series })),
  ].filter((p) => p.points?.length);
  const W = 1000;
  const H = 420;
  const m = { l: 60, r: 190, t: 30, b: 40 };
  const all = phases.flatMap((p) => p.points);
  if (all.length === 0) return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="60"><text x="10" y="30">no samples</text></svg>`;
  // Time from the first measured second (start-up and client set-up are not drawn).
  const tMin = Math.min(...all.map((p) => p.t));
  const tMax = Math.max(...all.map((p) => p.t)) - tMin + 1;
  const values = all.flatMap((p) => [p.p50, p.p99]).filter((v) => v > 0);
  const yMin = Math.max(0.1, 10 ** Math.floor(Math.log10(Math.min(...values))));
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(...values)));
  const x = (t) => m.l + ((t - tMin) / tMax) * (W - m.l - m.r);
  const y = (v) => m.t + (1 - (Math.log10(Math.max(v, yMin)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * (H - m.t - m.b);
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${m.l}" y="18" font-size="13">Latency over time (${r.mode} run ${r.startedAt}), p50 solid, p99 dashed</text>`);
  for (let decade = Math.log10(yMin); decade <= Math.log10(yMax); decade++) {
    const v = 10 ** decade;
    out.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`);
    out.push(`<text x="${m.l - 6}" y="${y(v) + 4}" text-anchor="end">${v >= 1 ? v : v.toFixed(1)} ms</text>`);
  }
  const step = tMax > 600 ? 60 : tMax > 120 ? 30 : 10;
  for (let t = 0; t <= tMax; t += step) {
    out.push(`<line x1="${x(t + tMin)}" x2="${x(t + tMin)}" y1="${H - m.b}" y2="${H - m.b + 4}" stroke="#333"/>`);
    out.push(`<text x="${x(t + tMin)}" y="${H - m.b + 16}" text-anchor="middle">${t}</text>`);
  }
  out.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 6}" text-anchor="middle">seconds since the first measured phase started</text>`);
  out.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${H - m.b}" y2="${H - m.b}" stroke="#333"/><line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${H - m.b}" stroke="#333"/>`);
  phases.forEach((phase, i) => {
    const color = COLORS[i % COLORS.length];
    for (const [key, dash] of [
      ['p50', ''],
      ['p99', ' stroke-dasharray="4 3"'],
    ]) {
      const d = phase.points.map((p, j) => `${j ? 'L' : 'M'}${x(p.t + 0.5).toFixed(1)},${y(p[key]).toFixed(1)}`).join(' ');
      out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.5"${dash}/>`);
    }
    out.push(`<rect x="${W - m.r + 12}" y="${m.t + i * 16 - 8}" width="10" height="10" fill="${color}"/>`);
    out.push(`<text x="${W - m.r + 28}" y="${m.t + i * 16 + 1}">${phase.name}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

export function writeReports(dir, r) {
  const stamp = r.startedAt.replace(/[:.]/g, '-');
  const jsonPath = join(dir, `${stamp}.json`);
  writeFileSync(jsonPath, JSON.stringify(r, null, 2) + '\n');
  writeFileSync(join(dir, 'latest.svg'), svgChart(r) + '\n');
  writeFileSync(join(dir, 'latest.md'), markdown(r, 'latest.svg'));
  return { jsonPath, mdPath: join(dir, 'latest.md') };
}

/** CPU the machine spent on anything but the services, Postgres, RabbitMQ and the bench, averaged over the phases. */
function otherWorkPercent(r) {
  const phases = Object.entries(r.machineCpuByPhase ?? {});
  if (phases.length === 0) return undefined;
  const others = phases.map(([phase, m]) => {
    const services = Object.values(r.processes ?? {}).reduce((sum, p) => sum + (p.cpuPercentByPhase?.[phase] ?? 0), 0);
    return Math.max(0, m.machine - m.postgres - m.rabbitmq - services - (r.benchCpuPercentByPhase?.[phase] ?? 0));
  });
  return Math.round(others.reduce((a, b) => a + b, 0) / others.length);
}
