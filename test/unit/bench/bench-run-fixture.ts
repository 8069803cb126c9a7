import type { BenchResults } from '../../../bench/bench-results';
import type { LatencySummary } from '../../../bench/stats';

/** The fields every bench run has, for tests that add only the sections they read. */
export const RUN_HEADER: Pick<BenchResults, 'startedAt' | 'durationMs' | 'profile' | 'timeScale' | 'useRunning' | 'machine' | 'targets' | 'notes'> = {
  startedAt: '2026-11-29T10:00:00.000Z',
  durationMs: 500_000,
  profile: 'full',
  timeScale: 1,
  useRunning: false,
  machine: { node: 'v24.21.0', cpus: 2, loadAverageAtStart: [0, 0, 0], loadAverageAtEnd: [0, 0, 0] },
  targets: [],
  notes: [],
};

/** A latency summary around a p50. */
export function latency(p50: number): LatencySummary {
  return { count: 100, p50, p95: p50 * 2, p99: p50 * 3, mean: p50, max: p50 * 4 };
}
