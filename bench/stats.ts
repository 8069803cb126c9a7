/** Latency summaries: nearest-rank percentiles over a run's samples (milliseconds). */

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly mean: number;
  readonly max: number;
}

/** Nearest-rank percentile of already sorted values; NaN for none. */
export function percentileOfSorted(sorted: readonly number[], percentile: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((percentile / 100) * sorted.length);
  return sorted[Math.min(Math.max(rank, 1), sorted.length) - 1] ?? Number.NaN;
}

export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((left, right) => left - right);
  const total = sorted.reduce((sum, value) => sum + value, 0);
  return {
    count: sorted.length,
    p50: percentileOfSorted(sorted, 50),
    p95: percentileOfSorted(sorted, 95),
    p99: percentileOfSorted(sorted, 99),
    mean: sorted.length === 0 ? Number.NaN : total / sorted.length,
    max: sorted.at(-1) ?? Number.NaN,
  };
}

export function median(samples: readonly number[]): number {
  return percentileOfSorted(
    [...samples].sort((left, right) => left - right),
    50,
  );
}

/** Rounds for reports: one decimal below 100, whole numbers above. */
export function round(value: number): number {
  if (!Number.isFinite(value)) return value;
  return Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 10) / 10;
}

/** A sample taken at a moment of a run, for charts over time. */
export interface TimedSample {
  /** Milliseconds since the run's start. */
  readonly atMs: number;
  readonly valueMs: number;
}

export interface BucketSummary {
  readonly startMs: number;
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
}

/** Per-bucket p50/p99 of timed samples, for the latency-over-time chart. */
export function bucketize(samples: readonly TimedSample[], bucketMs: number): BucketSummary[] {
  const buckets = new Map<number, number[]>();
  for (const sample of samples) {
    const start = Math.floor(sample.atMs / bucketMs) * bucketMs;
    const values = buckets.get(start) ?? [];
    values.push(sample.valueMs);
    buckets.set(start, values);
  }
  return [...buckets.entries()]
    .sort(([left], [right]) => left - right)
    .map(([startMs, values]) => {
      const sorted = values.sort((left, right) => left - right);
      return { startMs, count: sorted.length, p50: percentileOfSorted(sorted, 50), p99: percentileOfSorted(sorted, 99) };
    });
}
