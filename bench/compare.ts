/**
 * What changed since a baseline run. Only figures that survive the machine's drift are compared:
 * bytes, request counts, prices, CPU time (which does not grow when other work competes for the
 * cores) and ratios to a baseline measured in the same run. Each has a noise band: how far apart
 * runs of unchanged code came on this machine (`NOISE_EVIDENCE`). A change inside its band is
 * reported as noise, not as a gain or a loss.
 */
import type { BenchResults } from './bench-results';

export type Verdict = 'better' | 'worse' | 'within noise' | 'unchanged' | 'not measured' | 'not comparable';

interface Figure {
  readonly name: string;
  readonly unit: string;
  readonly digits: number;
  /** Default: lower. */
  readonly better?: 'lower' | 'higher';
  /** A relative band (0.05 = ±5 %), or an absolute one in the figure's unit. */
  readonly noise: { readonly relative: number } | { readonly absolute: number };
  /** The same whatever the profile's sizes (a quick run's burst is smaller than a full run's). */
  readonly profileIndependent?: boolean;
  readonly of: (results: BenchResults) => number | undefined;
}

export interface ComparisonRow {
  readonly figure: string;
  readonly unit: string;
  readonly baseline: number | undefined;
  readonly current: number | undefined;
  /** Current − baseline, in the figure's unit. */
  readonly change: number | undefined;
  readonly noiseBand: string;
  readonly verdict: Verdict;
  readonly digits: number;
}

export interface Comparison {
  readonly baselineStartedAt: string;
  readonly baselineProfile: string;
  /** Settings that differ between the runs and explain part of any change. */
  readonly differences: readonly string[];
  readonly rows: readonly ComparisonRow[];
}

/**
 * Where the bands come from: the largest difference between two of the committed full runs of
 * 2026-11-29 (`git log -- bench/results/bench-results.json`) among those whose code did not move the
 * figure by design. API CPU per request 12.20–13.77 ms (13 %), API ÷ raw p50 1.16–1.28 (10 %),
 * 202 → CONFIRMED 1518–1698 ms (12 %), requests per order 15.88–16.09, cost $22.09–24.25 (10 %),
 * over all six; load CPU ratio 1.62–1.71 (the four runs with zod/mini); pipeline CPU 50.8–52.7 ms and
 * end to end 47.7–54.9 % (runs 2–6; the first, at 56.0 ms and 41 %, ran earlier code, and the cause
 * of its difference was not traced); relay lag 79–114 ms (the five runs at a 100 ms poll interval).
 * Bundle bytes change only with the code and the lockfile.
 */
export const NOISE_EVIDENCE = 'the largest difference between two committed full runs of unchanged code; bench/compare.ts names them';

function apiLevel(results: BenchResults, concurrency: number) {
  return results.api?.levels.find((level) => level.concurrency === concurrency);
}

function sumOf(values: readonly number[] | undefined): number | undefined {
  return values?.reduce((total, value) => total + value, 0);
}

function maxOf(values: readonly number[] | undefined): number | undefined {
  return values === undefined || values.length === 0 ? undefined : Math.max(...values);
}

/** The sum of a per-component record (CPU by process group, violations by rule). */
function totalOf(record: Readonly<Record<string, number>> | undefined): number | undefined {
  return sumOf(record === undefined ? undefined : Object.values(record));
}

function ratioOf(numerator: number | undefined, denominator: number | undefined): number | undefined {
  return numerator === undefined || denominator === undefined ? undefined : numerator / denominator;
}

function percentOf(part: number | undefined, whole: number | undefined): number | undefined {
  const fraction = ratioOf(part, whole);
  return fraction === undefined ? undefined : fraction * 100;
}

/** One figure per entry; lower is better unless `better` says otherwise. */
export const FIGURES: readonly Figure[] = [
  { name: 'largest bundle', unit: 'KB', digits: 1, noise: { absolute: 0.5 }, profileIndependent: true,
    of: (results) => maxOf(results.coldStart?.functions.map((fn) => fn.bundleBytes / 1024)) },
  { name: 'all bundles together', unit: 'KB', digits: 1, noise: { absolute: 2 }, profileIndependent: true,
    of: (results) => sumOf(results.coldStart?.functions.map((fn) => fn.bundleBytes / 1024)) },
  { name: 'worst load CPU ÷ SDK-only load CPU', unit: '×', digits: 2, noise: { relative: 0.06 },
    of: (results) => maxOf(results.coldStart?.functions.map((fn) => fn.loadCpuMs / fn.baselineLoadCpuMs)) },
  { name: 'API CPU per request at concurrency 8 (all processes)', unit: 'ms', digits: 2, noise: { relative: 0.13 },
    of: (results) => totalOf(apiLevel(results, 8)?.api.cpuPerRequest) },
  { name: 'API p50 ÷ raw TransactWriteItems p50 at concurrency 8', unit: '×', digits: 2, noise: { relative: 0.1 },
    of: (results) => ratioOf(apiLevel(results, 8)?.api.latency.p50, apiLevel(results, 8)?.rawTransaction.latency.p50) },
  { name: 'pipeline CPU per order in the flash sale (all processes)', unit: 'ms', digits: 1, noise: { relative: 0.05 },
    of: (results) => totalOf(results.burst?.cpuPerOrder) },
  { name: 'flash sale end to end ÷ replayed emulator limit', unit: '%', digits: 1, noise: { absolute: 7.5 }, better: 'higher',
    of: (results) => percentOf(results.burst?.endToEndPerSecond, results.limit?.limit.ordersPerSecond) },
  { name: 'relay lag p50 at 20 orders/s', unit: 'ms', digits: 0, noise: { relative: 0.45 },
    of: (results) => results.steady?.relayLag.p50 },
  { name: '202 → CONFIRMED p50 at 20 orders/s', unit: 'ms', digits: 0, noise: { relative: 0.12 },
    of: (results) => results.steady?.completion.p50 },
  { name: 'AWS requests per order in the burst', unit: '', digits: 2, noise: { relative: 0.03 },
    of: (results) => sumOf(results.recording?.burst.rows.map((row) => row.perOrder)) },
  { name: 'cost per million orders on AWS (steady mix)', unit: '$', digits: 2, noise: { relative: 0.1 },
    of: (results) => results.cost?.steady.ours.usdPerMillionOrders },
  { name: 'invariant violations', unit: '', digits: 0, noise: { absolute: 0 },
    of: (results) => totalOf(results.invariants?.violationsByRule) },
];

function isWithin(figure: Figure, baseline: number, change: number): boolean {
  if ('absolute' in figure.noise) return Math.abs(change) <= figure.noise.absolute;
  return baseline === 0 ? change === 0 : Math.abs(change / baseline) <= figure.noise.relative;
}

function bandOf(figure: Figure): string {
  if (!('absolute' in figure.noise)) return `±${Math.round(figure.noise.relative * 100)} %`;
  return figure.noise.absolute === 0 ? 'none' : `±${withUnit(String(figure.noise.absolute), differenceUnit(figure.unit))}`;
}

/** A difference of percentages is in points. */
function differenceUnit(unit: string): string {
  return unit === '%' ? 'points' : unit;
}

function withUnit(number: string, unit: string): string {
  if (unit === '$') return `$${number}`;
  if (unit === '' || unit === '×') return `${number}${unit}`;
  return `${number} ${unit}`;
}

/** Settings of the two runs that differ and move the figures by themselves. */
function differencesOf(baseline: BenchResults, current: BenchResults): string[] {
  const differences: string[] = [];
  const differ = (what: string, before: unknown, after: unknown): void => {
    if (before !== after) differences.push(`${what}: ${String(before)} → ${String(after)}`);
  };
  differ('profile', baseline.profile, current.profile);
  differ('LOCAL_TIME_SCALE', baseline.timeScale, current.timeScale);
  differ('--use-running', baseline.useRunning, current.useRunning);
  differ('relay poll interval (ms)', baseline.relayPollIntervalMs, current.relayPollIntervalMs);
  differ('Node.js', baseline.machine.node, current.machine.node);
  differ('CPUs', baseline.machine.cpus, current.machine.cpus);
  return differences;
}

export function compareRuns(baseline: BenchResults, current: BenchResults): Comparison {
  const rows = FIGURES.map((figure): ComparisonRow => {
    const before = figure.of(baseline);
    const after = figure.of(current);
    const common = { figure: figure.name, unit: figure.unit, baseline: before, current: after, noiseBand: bandOf(figure), digits: figure.digits };
    if (before === undefined || after === undefined || !Number.isFinite(before) || !Number.isFinite(after)) {
      return { ...common, change: undefined, verdict: 'not measured' };
    }
    const change = after - before;
    if (baseline.profile !== current.profile && figure.profileIndependent !== true) return { ...common, change, verdict: 'not comparable' };
    if (change === 0) return { ...common, change, verdict: 'unchanged' };
    if (isWithin(figure, before, change)) return { ...common, change, verdict: 'within noise' };
    const improved = figure.better === 'higher' ? change > 0 : change < 0;
    return { ...common, change, verdict: improved ? 'better' : 'worse' };
  });
  return {
    baselineStartedAt: baseline.startedAt,
    baselineProfile: baseline.profile,
    differences: differencesOf(baseline, current),
    rows,
  };
}

function formatted(value: number | undefined, digits: number, unit: string): string {
  return value === undefined ? '–' : withUnit(value.toFixed(digits), unit);
}

function signed(value: number | undefined, digits: number, unit: string): string {
  if (value === undefined) return '–';
  const text = formatted(Math.abs(value), digits, differenceUnit(unit));
  return Number(value.toFixed(digits)) === 0 ? `±${text}` : `${value > 0 ? '+' : '−'}${text}`;
}

/** The comparison as a Markdown section. */
export function renderComparison(comparison: Comparison, baselineLabel: string): string[] {
  const worse = comparison.rows.filter((row) => row.verdict === 'worse').map((row) => row.figure);
  const better = comparison.rows.filter((row) => row.verdict === 'better').map((row) => row.figure);
  return [
    '## Against the baseline',
    '',
    `Baseline: ${baselineLabel}, run ${comparison.baselineStartedAt} (profile ${comparison.baselineProfile}). ` +
      `Only figures that machine drift moves little are compared; a change inside its noise band (${NOISE_EVIDENCE}) is noise.`,
    '',
    ...(comparison.differences.length === 0 ? [] : [`The runs differ in: ${comparison.differences.join('; ')}.`, '']),
    '| figure | baseline | this run | change | noise band | verdict |',
    '|---|--:|--:|--:|--:|---|',
    ...comparison.rows.map(
      (row) =>
        `| ${row.figure} | ${formatted(row.baseline, row.digits, row.unit)} | ${formatted(row.current, row.digits, row.unit)} | ` +
        `${signed(row.change, row.digits, row.unit)} | ${row.noiseBand} | ${row.verdict === 'worse' ? '**worse**' : row.verdict} |`,
    ),
    '',
    `${worse.length === 0 ? 'Nothing got worse beyond its noise band' : `Worse beyond the noise: ${worse.join(', ')}`}` +
      `${better.length === 0 ? '.' : `; better: ${better.join(', ')}.`}`,
    '',
  ];
}
