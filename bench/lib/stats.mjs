// Small statistics helpers: percentiles of raw samples and per-second buckets for the chart.

/** The p-th percentile (0–100) of `values` by nearest rank; NaN for no samples. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** count, mean, p50/p90/p95/p99 and max of raw samples (milliseconds). */
export function summarize(values) {
  const sorted = Float64Array.from(values).sort();
  const mean = sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : NaN;
  return {
    count: sorted.length,
    mean: round(mean),
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.length ? sorted[sorted.length - 1] : NaN),
  };
}

export const round = (n, digits = 2) => (Number.isFinite(n) ? Math.round(n * 10 ** digits) / 10 ** digits : null);

/**
 * Collects (time, latency) samples into one-second buckets, for the latency-over-time chart.
 * `t` is milliseconds since the run started.
 */
export class TimeSeries {
  constructor(phase) {
    this.phase = phase;
    this.buckets = new Map();
  }

  add(tMs, latencyMs) {
    const second = Math.floor(tMs / 1000);
    let bucket = this.buckets.get(second);
    if (!bucket) this.buckets.set(second, (bucket = []));
    bucket.push(latencyMs);
  }

  /** [{ t (s since run start), count, p50, p99 }], in time order. */
  points() {
    return [...this.buckets.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([second, values]) => {
        const sorted = Float64Array.from(values).sort();
        return { t: second, count: sorted.length, p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)) };
      });
  }
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
