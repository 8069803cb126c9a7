/**
 * `npm run bench -- [--quick] [--use-running] [--base-port N] [--time-scale S] [--only a,b] [--out dir]
 *   [--baseline results.json] [--function-env '{"OutboxRelay":{"VAR":"value"}}'] [--steady-rate 20]`
 *
 * The full profile fits in 15 minutes on the 2-core machine; `--quick` is a few-minute smoke run
 * of every section with smaller numbers.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';

export const SECTIONS = ['cold-start', 'recording', 'limit', 'api', 'steady', 'burst'] as const;
export type Section = (typeof SECTIONS)[number];

export interface Profile {
  readonly name: 'full' | 'quick';
  readonly coldStartRuns: number;
  readonly api: { readonly levels: readonly number[]; readonly blockMs: number; readonly rounds: number; readonly warmupMs: number; readonly drainTimeoutMs: number };
  readonly steady: { readonly ratePerSecond: number; readonly durationMs: number; readonly drainTimeoutMs: number };
  readonly recording: {
    readonly steady: { readonly ratePerSecond: number; readonly durationMs: number; readonly drainTimeoutMs: number };
    readonly burst: { readonly orders: number; readonly concurrency: number; readonly drainTimeoutMs: number };
  };
  readonly replay: { readonly orders: number; readonly concurrency: number; readonly unloadedOrders: number };
  readonly burst: { readonly orders: number; readonly concurrency: number; readonly drainTimeoutMs: number };
  readonly settleTimeoutMs: number;
}

const FULL: Profile = {
  name: 'full',
  coldStartRuns: 11,
  api: { levels: [1, 8, 32], blockMs: 3_000, rounds: 2, warmupMs: 3_000, drainTimeoutMs: 120_000 },
  steady: { ratePerSecond: 20, durationMs: 30_000, drainTimeoutMs: 120_000 },
  recording: {
    steady: { ratePerSecond: 20, durationMs: 10_000, drainTimeoutMs: 120_000 },
    burst: { orders: 1_500, concurrency: 48, drainTimeoutMs: 300_000 },
  },
  replay: { orders: 1_500, concurrency: 64, unloadedOrders: 40 },
  burst: { orders: 10_000, concurrency: 48, drainTimeoutMs: 480_000 },
  settleTimeoutMs: 120_000,
};

const QUICK: Profile = {
  name: 'quick',
  coldStartRuns: 5,
  api: { levels: [1, 8, 32], blockMs: 1_500, rounds: 1, warmupMs: 1_500, drainTimeoutMs: 60_000 },
  steady: { ratePerSecond: 20, durationMs: 8_000, drainTimeoutMs: 60_000 },
  recording: {
    steady: { ratePerSecond: 20, durationMs: 5_000, drainTimeoutMs: 60_000 },
    burst: { orders: 300, concurrency: 48, drainTimeoutMs: 120_000 },
  },
  replay: { orders: 300, concurrency: 64, unloadedOrders: 15 },
  burst: { orders: 1_000, concurrency: 48, drainTimeoutMs: 180_000 },
  settleTimeoutMs: 60_000,
};

export interface BenchOptions {
  readonly profile: Profile;
  readonly useRunning: boolean;
  readonly basePort: number;
  readonly timeScale: number;
  readonly sections: ReadonlySet<Section>;
  readonly outDir: string;
  /** The run to compare this one with (default: the committed baseline); absent or unreadable: no comparison. */
  readonly baselineFile: string;
  readonly echo: boolean;
  /** Extra per-function variables for every runtime the bench starts (experiments: A/B a setting). */
  readonly functionEnv: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      'use-running': { type: 'boolean', default: false },
      'base-port': { type: 'string', default: '19800' },
      'time-scale': { type: 'string', default: '1' },
      only: { type: 'string' },
      out: { type: 'string', default: path.join(__dirname, 'results') },
      baseline: { type: 'string', default: path.join(__dirname, 'results', 'bench-results.json') },
      echo: { type: 'boolean', default: false },
      'function-env': { type: 'string', default: '{}' },
      'steady-rate': { type: 'string' },
    },
  });
  const requested = values.only === undefined ? [...SECTIONS] : values.only.split(',').map((name) => name.trim());
  for (const name of requested) {
    if (!(SECTIONS as readonly string[]).includes(name)) throw new Error(`--only: unknown section ${name} (known: ${SECTIONS.join(', ')})`);
  }
  const useRunning = values['use-running'];
  const sections = new Set(requested as Section[]);
  // The recording needs the bench's own runtime behind its proxy; the replay needs a recording.
  if (useRunning) {
    sections.delete('recording');
    sections.delete('limit');
  }
  if (!sections.has('recording')) sections.delete('limit');
  const timeScale = Number(values['time-scale']);
  if (!Number.isFinite(timeScale) || timeScale <= 0 || timeScale > 1) throw new Error('--time-scale must be in (0, 1]');
  const base = values.quick ? QUICK : FULL;
  const steadyRate = values['steady-rate'] === undefined ? undefined : Number(values['steady-rate']);
  if (steadyRate !== undefined && !(steadyRate > 0)) throw new Error('--steady-rate must be a positive number of orders per second');
  return {
    profile: steadyRate === undefined ? base : { ...base, steady: { ...base.steady, ratePerSecond: steadyRate } },
    useRunning,
    basePort: Number(values['base-port']),
    timeScale,
    sections,
    outDir: path.resolve(values.out),
    baselineFile: path.resolve(values.baseline),
    echo: values.echo,
    functionEnv: JSON.parse(values['function-env']) as Record<string, Record<string, string>>,
  };
}
