import type { BenchResults } from '../../../bench/bench-results';
import { compareRuns, renderComparison, type ComparisonRow } from '../../../bench/compare';
import { renderMarkdown } from '../../../bench/report';
import { latency, RUN_HEADER } from './bench-run-fixture';

interface Knobs {
  readonly pipelineCpuMs?: number;
  readonly endToEndPerSecond?: number;
  readonly largestBundleBytes?: number;
  readonly violations?: number;
  readonly relayPollIntervalMs?: number;
  readonly withBurst?: boolean;
}

/** A run holding only what the compared figures read. */
function run(knobs: Knobs = {}): BenchResults {
  const results = {
    ...RUN_HEADER,
    coldStart: {
      runs: 11,
      functions: [
        { functionId: 'OrderApi', bundleBytes: knobs.largestBundleBytes ?? 460_000, loadCpuMs: 100, baselineLoadCpuMs: 60 },
        { functionId: 'Payment', bundleBytes: 400_000, loadCpuMs: 105, baselineLoadCpuMs: 67 },
      ],
    },
    api: {
      levels: [
        {
          concurrency: 8,
          api: { latency: latency(57), cpuPerRequest: { 'dynamodb-local': 6.5, runtime: 1.1, 'lambda-environments': 5.5, bench: 0.4 } },
          rawTransaction: { latency: latency(48), cpuPerRequest: {} },
        },
      ],
    },
    limit: { limit: { ordersPerSecond: 75 } },
    ...(knobs.withBurst === false
      ? {}
      : { burst: { endToEndPerSecond: knobs.endToEndPerSecond ?? 37.5, cpuPerOrder: { 'dynamodb-local': 14, 'lambda-environments': (knobs.pipelineCpuMs ?? 52) - 14 } } }),
    steady: { relayLag: latency(140), completion: latency(1550) },
    recording: { burst: { rows: [{ perOrder: 11 }, { perOrder: 5 }] } },
    cost: { steady: { ours: { usdPerMillionOrders: 22.5 } } },
    invariants: { violationsByRule: knobs.violations === undefined ? {} : { 'lost-order': knobs.violations } },
    relayPollIntervalMs: knobs.relayPollIntervalMs ?? 250,
  };
  return results as unknown as BenchResults;
}

function row(rows: readonly ComparisonRow[], figure: string): ComparisonRow | undefined {
  return rows.find((candidate) => candidate.figure.startsWith(figure));
}

describe('comparing a bench run with a baseline', () => {
  it('finds nothing changed when a run is compared with itself', () => {
    // Act
    const comparison = compareRuns(run(), run());

    // Assess
    expect(comparison.rows.map((candidate) => candidate.verdict)).toEqual(comparison.rows.map(() => 'unchanged'));
    expect(comparison.differences).toEqual([]);
  });

  it('calls a change inside its noise band noise, and one beyond it better or worse by which way the figure should go', () => {
    // Act
    const within = compareRuns(run(), run({ pipelineCpuMs: 53 })).rows;
    const worse = compareRuns(run(), run({ pipelineCpuMs: 60, endToEndPerSecond: 30 })).rows;
    const better = compareRuns(run(), run({ pipelineCpuMs: 45, endToEndPerSecond: 45 })).rows;

    // Assess: CPU per order is better lower (±5 %), end to end ÷ limit better higher (±7.5 points)
    expect(row(within, 'pipeline CPU per order')?.verdict).toBe('within noise');
    expect(row(worse, 'pipeline CPU per order')).toMatchObject({ verdict: 'worse', baseline: 52, current: 60, change: 8 });
    expect(row(worse, 'flash sale end to end')?.verdict).toBe('worse');
    expect(row(better, 'pipeline CPU per order')?.verdict).toBe('better');
    expect(row(better, 'flash sale end to end')?.verdict).toBe('better');
  });

  it('treats bundle growth beyond half a kilobyte and any invariant violation as worse', () => {
    // Act
    const rows = compareRuns(run(), run({ largestBundleBytes: 461_024, violations: 1 })).rows;

    // Assess
    expect(row(rows, 'largest bundle')?.verdict).toBe('worse');
    expect(row(rows, 'invariant violations')).toMatchObject({ verdict: 'worse', baseline: 0, current: 1 });
  });

  it('says which figures one of the runs did not measure, and which settings differ', () => {
    // Act
    const comparison = compareRuns(run({ withBurst: false, relayPollIntervalMs: 100 }), run());

    // Assess
    expect(row(comparison.rows, 'pipeline CPU per order')).toMatchObject({ verdict: 'not measured', baseline: undefined, current: 52 });
    expect(comparison.differences).toEqual(['relay poll interval (ms): 100 → 250']);
  });

  it('renders the comparison in the report, naming what got worse', () => {
    // Prepare: the report of a run whose sections are left out, so only the comparison shows
    const current = run({ pipelineCpuMs: 60 });
    const bare: BenchResults = { ...run(), coldStart: undefined, api: undefined, limit: undefined, burst: undefined, steady: undefined, recording: undefined, cost: undefined, invariants: undefined };
    const results: BenchResults = { ...bare, comparedWith: { file: 'bench/results/bench-results.json', comparison: compareRuns(run(), current) } };

    // Act
    const markdown = renderMarkdown(results);

    // Assess
    expect(markdown).toContain('## Against the baseline');
    expect(markdown).toContain('| pipeline CPU per order in the flash sale (all processes) | 52.0 ms | 60.0 ms | +8.0 ms | ±5 % | **worse** |');
    expect(markdown).toContain('Worse beyond the noise: pipeline CPU per order in the flash sale (all processes).');
    expect(renderMarkdown(bare)).not.toContain('## Against the baseline');
  });

  it('compares only bundle sizes between a quick and a full run', () => {
    // Act
    const comparison = compareRuns(run(), { ...run({ pipelineCpuMs: 60, largestBundleBytes: 470_000 }), profile: 'quick' });

    // Assess
    expect(comparison.differences).toEqual(['profile: full → quick']);
    expect(row(comparison.rows, 'largest bundle')?.verdict).toBe('worse');
    expect(row(comparison.rows, 'pipeline CPU per order')?.verdict).toBe('not comparable');
  });

  it('gives a difference of percentages in points', () => {
    // Act
    const lines = renderComparison(compareRuns(run(), run({ endToEndPerSecond: 45 })), 'x');

    // Assess: 37.5 → 45 of 75 orders/s is 50 % → 60 %
    expect(lines).toContain('| flash sale end to end ÷ replayed emulator limit | 50.0 % | 60.0 % | +10.0 points | ±7.5 points | better |');
  });
});
