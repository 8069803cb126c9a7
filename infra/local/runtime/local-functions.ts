/**
 * The pipeline's functions and event source mappings as the local runtime runs them, derived
 * from the same settings the CDK stack reads; only durations are scaled (local-settings.ts).
 */
import {
  ORDER_API_FUNCTION,
  OUTBOX_RELAY,
  OUTBOX_SWEEPER,
  QUEUE_CONSUMERS,
  type FunctionSettings,
  type OutboxSweeperSettings,
  type QueueConsumerSettings,
  type StreamRelaySettings,
} from '../../../src/common/settings';
import { functionEnvironment, type FunctionResources } from '../../function-environment';
import { scaledFunctionTimeoutSeconds } from '../local-settings';
import type { OutboxSweepRequest } from '../../../src/outbox-relay/outbox-sweep-request';
import type { LocalFunction } from './lambda-service';
import type { LocalScheduleOptions } from './schedule';

/**
 * Environments the order API may run at once. On AWS the account's concurrency (1,000) is the
 * only bound; here every environment is a process on a small machine.
 */
export const LOCAL_API_MAX_CONCURRENCY = 10;

export function localFunction(
  settings: FunctionSettings,
  options: {
    readonly resources: FunctionResources;
    /** The variables that point the SDK at the emulators (`localAwsEnvironment`). */
    readonly awsEnvironment: Readonly<Record<string, string>>;
    readonly timeScale: number;
    readonly maxConcurrency: number;
    /** Variables that replace the function's own, last (see `functionEnvironmentOverrides`). */
    readonly environmentOverrides?: Readonly<Record<string, string>>;
  },
): LocalFunction {
  return {
    name: settings.id,
    entry: settings.entry,
    timeoutSeconds: scaledFunctionTimeoutSeconds(settings, options.timeScale),
    memorySizeMb: settings.memorySizeMb,
    environment: {
      ...functionEnvironment(settings, options.resources),
      ...options.awsEnvironment,
      ...options.environmentOverrides,
    },
    maxConcurrency: options.maxConcurrency,
  };
}

/** Every function of the pipeline: the order API, the outbox relay and its sweeper, and the queue consumers. */
export function localFunctions(options: {
  readonly resources: FunctionResources;
  readonly awsEnvironment: Readonly<Record<string, string>>;
  readonly timeScale: number;
  /** Per function id, variables that replace its own (`LOCAL_FUNCTION_ENV`). */
  readonly environmentOverrides?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}): LocalFunction[] {
  const withOverrides = (settings: FunctionSettings, maxConcurrency: number): LocalFunction =>
    localFunction(settings, {
      ...options,
      maxConcurrency,
      environmentOverrides: options.environmentOverrides?.[settings.id] ?? {},
    });
  return [
    withOverrides(ORDER_API_FUNCTION, LOCAL_API_MAX_CONCURRENCY),
    // One batch per shard at a time (times the parallelisation factor): the relay never needs more.
    withOverrides(OUTBOX_RELAY, OUTBOX_RELAY.stream.parallelizationFactor),
    // Its schedule never starts a run while one is going (schedule.ts).
    withOverrides(OUTBOX_SWEEPER, 1),
    ...QUEUE_CONSUMERS.map((consumer) => withOverrides(consumer, consumer.maxConcurrency)),
  ];
}

/**
 * `LOCAL_FUNCTION_ENV='{"OutboxRelay":{"AWS_ENDPOINT_URL_SNS":"http://127.0.0.1:9"}}'`: per-function
 * environment overrides. This is how tests inject faults from outside the handlers: point one
 * function at a dead endpoint or a fault proxy, or preload a module with `NODE_OPTIONS=--require …`
 * that attaches SDK middleware. The services under src/ never know.
 */
export function functionEnvironmentOverrides(
  env: NodeJS.ProcessEnv = process.env,
): Record<string, Record<string, string>> {
  const raw = env.LOCAL_FUNCTION_ENV;
  if (raw === undefined || raw === '') return {};
  const parsed: unknown = JSON.parse(raw);
  const valid =
    typeof parsed === 'object' &&
    parsed !== null &&
    Object.values(parsed).every(
      (vars) =>
        typeof vars === 'object' && vars !== null && Object.values(vars).every((value) => typeof value === 'string'),
    );
  if (!valid) throw new Error('LOCAL_FUNCTION_ENV must be a JSON object of function id → { VARIABLE: "value" }');
  return parsed as Record<string, Record<string, string>>;
}

/** A consumer's SQS event source mapping settings, with the batching window scaled. */
export function sqsMappingSettingsOf(consumer: QueueConsumerSettings, timeScale: number) {
  return {
    functionName: consumer.id,
    batchSize: consumer.batchSize,
    maxBatchingWindowMs: Math.round(consumer.maxBatchingWindowSeconds * timeScale * 1000),
    maxConcurrency: consumer.maxConcurrency,
    functionTimeoutSeconds: scaledFunctionTimeoutSeconds(consumer, timeScale),
    // The stack sets `reportBatchItemFailures: true` on every consumer's mapping.
    reportBatchItemFailures: true,
  } as const;
}

/**
 * The relay's DynamoDB Streams event source mapping settings, as `startStreamMapping` takes them;
 * the mapping scales the batching window and the maximum record age itself (`shardPolicyOf`).
 */
export function streamMappingSettingsOf(relay: StreamRelaySettings, timeScale: number) {
  return {
    functionName: relay.id,
    settings: relay.stream,
    timeScale,
    // The stack sets `reportBatchItemFailures: true` on the relay's mapping.
    reportBatchItemFailures: true,
  } as const;
}

/**
 * The sweeper's EventBridge rule as the local runtime runs it: the interval and the threshold the
 * rule's input carries are both scaled, so a stuck item is swept in seconds. The function's
 * environment is the same as on AWS; only the schedule differs.
 */
export function sweeperScheduleOf(
  sweeper: OutboxSweeperSettings,
  timeScale: number,
): Pick<LocalScheduleOptions, 'functionName' | 'intervalMs' | 'input'> {
  const input: OutboxSweepRequest = {
    // Whole milliseconds: 900 × 0.01 is 9.000000000000002 in floating point.
    pendingThresholdSeconds: Math.round(sweeper.pendingThresholdSeconds * timeScale * 1000) / 1000,
  };
  return {
    functionName: sweeper.id,
    intervalMs: Math.round(sweeper.scheduleMinutes * 60 * 1000 * timeScale),
    input,
  };
}
