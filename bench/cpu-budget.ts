/**
 * What the cores allow. Every process of the local stack shares the machine's cores, so a
 * workload that needs C CPU milliseconds per order can complete at most cores × 1000 / C orders a
 * second, whatever its concurrency. Set beside a measured rate, this says whether a stage was
 * waiting (well under its ceiling) or computing (at it), and turns a throughput target into the
 * CPU per order it implies.
 */
import type { BenchResults } from './bench-results';

/**
 * How many cores DynamoDB Local kept busy for the raw writes at one concurrency. Measured here at
 * 0.92–1.01 for concurrency 1 to 32: it runs these transactions one at a time, so the raw rate is
 * its one-core ceiling, and the order API can come close to it only if the rest of its path leaves
 * DynamoDB Local a core of its own.
 */
export function rawWriterCores(results: BenchResults, concurrency: number): number | undefined {
  const level = results.api?.levels.find((candidate) => candidate.concurrency === concurrency);
  const cpuMs = level?.rawTransaction.cpuPerRequest['dynamodb-local'];
  if (level === undefined || cpuMs === undefined) return undefined;
  return (level.rawTransaction.perSecond * cpuMs) / 1000;
}

export interface CpuCeiling {
  /** CPU milliseconds per order, every process group counted. */
  readonly cpuMsPerOrder: number;
  /** cores × 1000 / cpuMsPerOrder. */
  readonly ceilingPerSecond: number;
  readonly measuredPerSecond: number;
  /** The rate the target asks for, and the CPU per order that rate leaves. */
  readonly targetPerSecond: number;
  readonly cpuBudgetMsPerOrder: number;
}

function ceiling(cores: number, cpuMsPerOrder: number, measuredPerSecond: number, targetPerSecond: number): CpuCeiling {
  return {
    cpuMsPerOrder,
    ceilingPerSecond: (cores * 1000) / cpuMsPerOrder,
    measuredPerSecond,
    targetPerSecond,
    cpuBudgetMsPerOrder: (cores * 1000) / targetPerSecond,
  };
}

function sum(values: Readonly<Record<string, number>>): number {
  return Object.values(values).reduce((total, value) => total + value, 0);
}

/**
 * The API at one concurrency of the closed loop. With `concurrency` clients and no think time,
 * throughput = concurrency / mean latency (Little's law); the target bounds the p50, taken here as
 * the mean, so the rate it implies is approximate.
 */
export function apiCpuCeiling(results: BenchResults, concurrency: number, targetGapMs: number): CpuCeiling | undefined {
  const level = results.api?.levels.find((candidate) => candidate.concurrency === concurrency);
  if (level === undefined) return undefined;
  const cpuMsPerOrder = sum(level.api.cpuPerRequest);
  if (!(cpuMsPerOrder > 0)) return undefined;
  const targetLatencySeconds = (level.rawTransaction.latency.p50 + targetGapMs) / 1000;
  return ceiling(results.machine.cpus, cpuMsPerOrder, level.api.perSecond, concurrency / targetLatencySeconds);
}

/**
 * The API's second condition (see `rawWriterCores`): at the rate the target asks for, everything
 * but DynamoDB Local (the client, the API emulation, the function) must fit in the other cores.
 */
export function apiOutsideDynamoDb(
  results: BenchResults,
  concurrency: number,
  ceilingOfApi: CpuCeiling,
): { readonly budgetMsPerRequest: number; readonly tookMsPerRequest: number } | undefined {
  const level = results.api?.levels.find((candidate) => candidate.concurrency === concurrency);
  if (level === undefined) return undefined;
  return {
    budgetMsPerRequest: ((results.machine.cpus - 1) * 1000) / ceilingOfApi.targetPerSecond,
    tookMsPerRequest: ceilingOfApi.cpuMsPerOrder - (level.api.cpuPerRequest['dynamodb-local'] ?? 0),
  };
}

/** The flash sale end to end, against a fraction of the replayed emulator limit. */
export function endToEndCpuCeiling(results: BenchResults, targetFraction: number): CpuCeiling | undefined {
  const burst = results.burst;
  const limit = results.limit?.limit.ordersPerSecond;
  if (burst?.endToEndPerSecond === undefined || limit === undefined) return undefined;
  const cpuMsPerOrder = sum(burst.cpuPerOrder);
  if (!(cpuMsPerOrder > 0)) return undefined;
  return ceiling(results.machine.cpus, cpuMsPerOrder, burst.endToEndPerSecond, targetFraction * limit);
}
