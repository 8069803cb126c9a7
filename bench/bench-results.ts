/** The shape of bench/results/bench-results.json, and the targets the run is judged against. */
import type { InvariantViolation } from '../test/local/support/invariants';
import type { CostResult } from './sections/cost';
import type { ApiLatencyLevel } from './sections/api-latency';
import type { ColdStartResult } from './sections/cold-start';
import type { CriticalPathFloor } from './sections/emulator-limit';
import type { ReplayResult } from './replay';
import type { BucketSummary } from './stats';
import type { Comparison } from './compare';
import type { FunctionInvocations } from './bench-stack';
import type { SteadyRateResult } from './sections/end-to-end';
import type { FlashSaleResult } from './sections/flash-sale';

export interface MixRow {
  readonly caller: string;
  readonly service: string;
  readonly action: string;
  readonly resource: string;
  readonly perOrder: number;
  readonly entriesPerRequest: number;
  readonly messagesPerReceive: number;
  readonly emptyReceiveFraction: number;
  readonly capacityPerOrder: number;
  readonly chunksPerOrder: number;
  readonly errors: number;
  readonly errorTypes: Readonly<Record<string, number>>;
}

export interface MixSummary {
  readonly label: string;
  readonly orders: number;
  readonly rows: readonly MixRow[];
  readonly invocations: Readonly<Record<string, FunctionInvocations>>;
}

/** The steady-rate run as the JSON keeps it: the per-order samples bucketed by second. */
export type SteadySummary = Omit<SteadyRateResult, 'apiSamples' | 'completionSamples' | 'relayLagSamples'> & {
  readonly series: {
    readonly api: readonly BucketSummary[];
    readonly completion: readonly BucketSummary[];
    readonly relayLag: readonly BucketSummary[];
  };
};

/** The flash sale as the JSON keeps it: samples bucketed by second, queue depths about once a second. */
export type BurstSummary = Omit<FlashSaleResult, 'apiSamples' | 'relayLagSamples' | 'queueObservations'> & {
  readonly apiSeries: readonly BucketSummary[];
  readonly relayLagSeries: readonly BucketSummary[];
  /** Messages visible or in flight per consumer queue, about once a second. */
  readonly queueSeries: readonly { readonly atMs: number; readonly backlog: Readonly<Record<string, number>> }[];
};

export interface InvariantSummary {
  readonly checker: string;
  readonly ok: boolean;
  readonly orderCount: number;
  readonly violationsByRule: Readonly<Record<string, number>>;
  readonly firstViolations: readonly InvariantViolation[];
  readonly ignoredRules: readonly string[];
}

export interface Target {
  readonly name: string;
  readonly goal: string;
  readonly measured: string;
  readonly met: boolean | undefined;
}

export interface BenchResults {
  readonly startedAt: string;
  readonly durationMs: number;
  readonly profile: string;
  readonly timeScale: number;
  readonly useRunning: boolean;
  readonly machine: {
    readonly node: string;
    readonly cpus: number;
    readonly loadAverageAtStart: readonly number[];
    readonly loadAverageAtEnd: readonly number[];
  };
  readonly coldStart?: ColdStartResult;
  readonly recording?: { readonly steady: MixSummary; readonly burst: MixSummary };
  readonly limit?: { readonly limit: ReplayResult; readonly unloaded: ReplayResult; readonly criticalPath: CriticalPathFloor };
  readonly api?: { readonly blockMs: number; readonly rounds: number; readonly isolated: boolean; readonly levels: readonly ApiLatencyLevel[] };
  readonly steady?: SteadySummary;
  readonly burst?: BurstSummary;
  readonly invariants?: InvariantSummary;
  readonly cost?: { readonly steady: CostResult; readonly burst: CostResult };
  /** How long the relay's stream mapping waits between reads of an idle shard (Lambda's base rate). */
  readonly relayPollIntervalMs: number;
  readonly targets: readonly Target[];
  /** This run beside the baseline it was compared with (absent when there was none). */
  readonly comparedWith?: { readonly file: string; readonly comparison: Comparison };
  readonly notes: readonly string[];
}
