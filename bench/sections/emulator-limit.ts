/**
 * Section 3: the emulators' limit for this workload. The runtime runs behind the recording proxy
 * for a steady-rate run and a burst; what the pipeline asked of DynamoDB, SNS and SQS per order is
 * the request mix. The burst's mix is then replayed from the tight client at high concurrency
 * (the limit) and at concurrency 1 (each request's unloaded latency, for the critical-path floor).
 * The pipeline's own end-to-end rate (section 4) is reported as a fraction of the limit.
 */
import type { BenchStack } from '../bench-stack';
import type { AcceptedOrders } from '../pipeline-probe';
import type { Progress } from '../progress';
import { replayMix, type ReplayResult } from '../replay';
import { replayResourcesOf, type ReplayResources } from '../replay-resources';
import { requestMixOf, type RequestMix } from '../request-mix';
import type { LatencySummary } from '../stats';
import { runSteadyRate, warmUpPipeline, type SteadyRateOptions, type SteadyRateResult } from './end-to-end';
import { runFlashSale, type FlashSaleOptions, type FlashSaleResult } from './flash-sale';

/** Long enough for every function to have started the environments a steady rate needs. */
export const WARM_UP_MS = 5_000;

export interface RecordingResult {
  readonly steady: RequestMix;
  readonly burst: RequestMix;
  readonly steadyRun: SteadyRateResult;
  readonly burstRun: FlashSaleResult;
}

/** Runs the pipeline behind the recording proxy: a steady-rate run, then a burst, each its own mix. */
export async function recordRequestMixes(
  stack: BenchStack,
  accepted: AcceptedOrders,
  options: { readonly steady: SteadyRateOptions; readonly burst: FlashSaleOptions },
  progress: Progress,
): Promise<RecordingResult> {
  progress.startPhase('starting the runtime behind the recording proxy');
  await stack.startRuntime('recorded');
  try {
    await warmUpPipeline(stack, accepted, { ...options.steady, durationMs: WARM_UP_MS }, progress);
    await stack.recordedRequests(true);
    stack.invocations.reset();
    const steadyRun = await runSteadyRate(stack, accepted, options.steady, progress, 'recording (steady rate)');
    const steady = requestMixOf('steady', await stack.recordedRequests(true), steadyRun.accepted, stack.invocations.snapshot());
    stack.invocations.reset();
    const burstRun = await runFlashSale(stack, accepted, options.burst, progress);
    const burst = requestMixOf('burst', await stack.recordedRequests(true), burstRun.accepted, stack.invocations.snapshot());
    return { steady, burst, steadyRun, burstRun };
  } finally {
    await stack.stopRuntime();
  }
}

export interface EmulatorLimitResult {
  /** The burst mix replayed at high concurrency. */
  readonly limit: ReplayResult;
  /** The same mix at concurrency 1: each request's latency on otherwise idle emulators. */
  readonly unloaded: ReplayResult;
}

export async function measureEmulatorLimit(
  stack: BenchStack,
  mix: RequestMix,
  options: { readonly orders: number; readonly concurrency: number; readonly unloadedOrders: number },
  progress: Progress,
): Promise<EmulatorLimitResult> {
  progress.startPhase('creating the replay copy of the resources');
  const resources: ReplayResources = await replayResourcesOf(stack);
  const unloaded = await replayMix(stack, resources, mix, { orders: options.unloadedOrders, concurrency: 1 }, progress, 'replay at concurrency 1');
  const limit = await replayMix(
    stack,
    resources,
    mix,
    { orders: options.orders, concurrency: options.concurrency },
    progress,
    `replay at concurrency ${options.concurrency}`,
  );
  progress.note(`  emulators' limit for the burst mix: ${limit.ordersPerSecond.toFixed(1)} orders/s (${limit.requestsPerSecond.toFixed(0)} requests/s)`);
  return { limit, unloaded };
}

/**
 * The requests on an order's critical path from its 202 to CONFIRMED, back to back: the relay
 * reads the stream and publishes OrderCreated; payment (or inventory) reads its store, writes its
 * decision and publishes the outcome; order-status applies the first outcome, then the second and
 * the final status. No poll interval, batching window, invocation or queue wait is in it.
 */
export const CRITICAL_PATH = [
  { caller: 'event-source-mappings', service: 'dynamodbstreams', action: 'GetRecords' },
  { caller: 'OutboxRelay', service: 'sns', action: 'PublishBatch' },
  { caller: 'Payment', service: 'dynamodb', action: 'GetItem' },
  { caller: 'Payment', service: 'dynamodb', action: 'PutItem' },
  { caller: 'Payment', service: 'sns', action: 'PublishBatch' },
  { caller: 'OrderStatus', service: 'dynamodb', action: 'UpdateItem' },
  { caller: 'OrderStatus', service: 'dynamodb', action: 'UpdateItem' },
  { caller: 'OrderStatus', service: 'dynamodb', action: 'UpdateItem' },
] as const;

export interface CriticalPathFloor {
  readonly totalMs: number;
  readonly steps: readonly { readonly step: string; readonly p50Ms: number }[];
}

export function criticalPathFloor(unloaded: ReplayResult): CriticalPathFloor {
  const steps = CRITICAL_PATH.map(({ caller, service, action }) => {
    const summary: LatencySummary | undefined =
      unloaded.latencyByCallerAction[`${caller} ${service} ${action}`] ?? unloaded.latencyByAction[`${service} ${action}`];
    return { step: `${caller} ${action}`, p50Ms: summary?.p50 ?? Number.NaN };
  });
  return { totalMs: steps.reduce((total, step) => total + step.p50Ms, 0), steps };
}
