/**
 * The pipeline's functions and event source mappings as the local runtime runs them, derived
 * from the same settings the CDK stack reads; only durations are scaled (local-settings.ts).
 */
import {
  ORDER_API_FUNCTION,
  OUTBOX_RELAY,
  QUEUE_CONSUMERS,
  type FunctionSettings,
  type QueueConsumerSettings,
} from '../../../src/common/settings';
import { functionEnvironment, type FunctionResources } from '../../function-environment';
import { scaledFunctionTimeoutSeconds } from '../local-settings';
import type { LocalFunction } from './lambda-service';

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
  },
): LocalFunction {
  return {
    name: settings.id,
    entry: settings.entry,
    timeoutSeconds: scaledFunctionTimeoutSeconds(settings, options.timeScale),
    memorySizeMb: settings.memorySizeMb,
    environment: { ...functionEnvironment(settings, options.resources), ...options.awsEnvironment },
    maxConcurrency: options.maxConcurrency,
  };
}

/** Every function of the pipeline: the order API, the outbox relay and the queue consumers. */
export function localFunctions(options: {
  readonly resources: FunctionResources;
  readonly awsEnvironment: Readonly<Record<string, string>>;
  readonly timeScale: number;
}): LocalFunction[] {
  return [
    localFunction(ORDER_API_FUNCTION, { ...options, maxConcurrency: LOCAL_API_MAX_CONCURRENCY }),
    // One batch per shard at a time (times the parallelisation factor): the relay never needs more.
    localFunction(OUTBOX_RELAY, { ...options, maxConcurrency: OUTBOX_RELAY.stream.parallelizationFactor }),
    ...QUEUE_CONSUMERS.map((consumer) => localFunction(consumer, { ...options, maxConcurrency: consumer.maxConcurrency })),
  ];
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
