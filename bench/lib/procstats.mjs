// Samples RSS and CPU time of the service processes from /proc every 500 ms, and the CPU of
// the machine as a whole and of the processes the platform shares it with (Postgres, RabbitMQ).
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function read(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(status.match(/VmRSS:\s+(\d+)/)?.[1] ?? NaN);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): utime is field 14, stime field 15
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
    // Main thread: time on the CPU and time runnable but waiting for one (ns). The second says
    // how starved of CPU the machine left the process.
    const [onCpuNs, waitNs] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ').map(Number);
    return { rssMb: rssKb / 1024, cpuSeconds, runSeconds: onCpuNs / 1e9, runQueueSeconds: waitNs / 1e9 };
  } catch {
    return undefined;
  }
}

/** Processes counted together by their command name (`comm`). */
const GROUPS = { postgres: 'postgres', rabbitmq: 'beam.smp' };

function cpuTicksOf(stat) {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/**
 * CPU seconds used so far by each group and by the whole machine. A group's processes come and
 * go (a Postgres backend per connection), so each pid's growth is added up as it is seen; what
 * a process used between its last sample and its exit is missed.
 */
class MachineCounters {
  constructor() {
    this.lastTicks = new Map();
    this.groupTicks = Object.fromEntries(Object.keys(GROUPS).map((g) => [g, 0]));
  }

  read() {
    for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
      try {
        const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
        const group = Object.keys(GROUPS).find((g) => GROUPS[g] === comm);
        if (!group) continue;
        const ticks = cpuTicksOf(readFileSync(`/proc/${pid}/stat`, 'utf8'));
        const last = this.lastTicks.get(pid);
        this.groupTicks[group] += last === undefined ? 0 : Math.max(0, ticks - last);
        this.lastTicks.set(pid, ticks);
      } catch {
        // The process ended while we read it.
      }
    }
    // The first line of /proc/stat: user nice system idle iowait irq softirq steal …
    const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number);
    const groups = Object.fromEntries(Object.entries(this.groupTicks).map(([g, t]) => [g, t / TICKS_PER_SECOND]));
    return { ...groups, machine: (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND };
  }
}

export class ProcessSampler {
  constructor(pids, intervalMs = 500) {
    this.pids = pids;
    this.intervalMs = intervalMs;
    this.samples = Object.fromEntries(Object.keys(pids).map((name) => [name, []]));
    this.phases = [];
    this.machine = new MachineCounters();
    this.machineSamples = [];
  }

  start() {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop() {
    clearInterval(this.timer);
    this.sample();
  }

  sample() {
    const t = Date.now();
    for (const [name, pid] of Object.entries(this.pids)) {
      const s = read(pid);
      if (s) this.samples[name].push({ t, ...s });
    }
    this.machineSamples.push({ t, ...this.machine.read() });
  }

  /** Marks a phase so CPU can be reported per phase. */
  phase(name, startMs, endMs) {
    this.phases.push({ name, startMs, endMs });
  }

  summary() {
    const services = {};
    for (const [name, samples] of Object.entries(this.samples)) {
      if (samples.length === 0) continue;
      const first = samples[0];
      const last = samples[samples.length - 1];
      const elapsed = (last.t - first.t) / 1000;
      let peakCpu = 0;
      for (let i = 1; i < samples.length; i++) {
        const dt = (samples[i].t - samples[i - 1].t) / 1000;
        if (dt > 0) peakCpu = Math.max(peakCpu, (samples[i].cpuSeconds - samples[i - 1].cpuSeconds) / dt);
      }
      const perPhase = {};
      const waitByPhase = {};
      for (const phase of this.phases) {
        const inside = samples.filter((s) => s.t >= phase.startMs && s.t <= phase.endMs);
        if (inside.length < 2) continue;
        const a = inside[0];
        const b = inside[inside.length - 1];
        perPhase[phase.name] = Math.round((100 * (b.cpuSeconds - a.cpuSeconds)) / ((b.t - a.t) / 1000));
        const run = b.runSeconds - a.runSeconds;
        const wait = b.runQueueSeconds - a.runQueueSeconds;
        if (run + wait > 0) waitByPhase[phase.name] = Math.round((100 * wait) / (run + wait));
      }
      services[name] = {
        pid: this.pids[name],
        rssAtStartMb: Math.round(first.rssMb),
        peakRssMb: Math.round(Math.max(...samples.map((s) => s.rssMb))),
        cpuSeconds: Math.round((last.cpuSeconds - first.cpuSeconds) * 10) / 10,
        meanCpuPercent: elapsed > 0 ? Math.round((100 * (last.cpuSeconds - first.cpuSeconds)) / elapsed) : null,
        peakCpuPercent: Math.round(peakCpu * 100),
        cpuPercentByPhase: perPhase,
        // Of the main thread's runnable time, the share spent waiting for a CPU (0 on an idle machine).
        runQueueWaitPercentByPhase: waitByPhase,
      };
    }
    return services;
  }

  /** CPU per phase of Postgres, RabbitMQ and the whole machine (100 % is one core). */
  machineSummary() {
    const byPhase = {};
    for (const phase of this.phases) {
      const inside = this.machineSamples.filter((s) => s.t >= phase.startMs && s.t <= phase.endMs);
      if (inside.length < 2) continue;
      const a = inside[0];
      const b = inside[inside.length - 1];
      const seconds = (b.t - a.t) / 1000;
      byPhase[phase.name] = Object.fromEntries(Object.keys(a).filter((k) => k !== 't').map((k) => [k, Math.round((100 * (b[k] - a[k])) / seconds)]));
    }
    return byPhase;
  }
}
