/**
 * Settings that exist only for the local stack. Everything else (names, batch sizes, timeouts,
 * filter policies) comes from src/common/settings.ts, exactly as the CDK stack reads it.
 */
import path from 'node:path';
import {
  EVENTS_TOPIC,
  TABLES,
  visibilityTimeoutSeconds,
  type FunctionSettings,
  type QueueConsumerSettings,
  type TableRole,
} from '../../src/common/settings';

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT_ID = '000000000000';
/** DynamoDB Local keeps one database per access key and region: every local client uses these. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

export interface LocalPorts {
  readonly api: number;
  readonly dynamodb: number;
  /** fauxqs serves SNS and SQS on one port. */
  readonly snsSqs: number;
}

/** Defaults from the README; each can be overridden (`PORT`, `DYNAMODB_PORT`, `SNS_SQS_PORT`). */
export function localPorts(env: NodeJS.ProcessEnv = process.env): LocalPorts {
  return {
    api: Number(env.PORT ?? 3000),
    dynamodb: Number(env.DYNAMODB_PORT ?? 8000),
    snsSqs: Number(env.SNS_SQS_PORT ?? 4566),
  };
}

/** The X-Ray daemon's own default port. */
export const DEFAULT_XRAY_DAEMON_PORT = 2000;

/**
 * `XRAY_DAEMON_PORT`: the UDP port of the local X-Ray daemon stand-in, on loopback, that the
 * functions' tracers send to (`AWS_XRAY_DAEMON_ADDRESS`). Each local stack needs its own.
 */
export function localXrayDaemonPort(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.XRAY_DAEMON_PORT;
  const port = raw === undefined || raw === '' ? DEFAULT_XRAY_DAEMON_PORT : Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new Error(`XRAY_DAEMON_PORT must be a port number, got ${raw}`);
  }
  return port;
}

/** Where a persistent local stack keeps its state (DynamoDB Local files, fauxqs, stream checkpoints). */
export const DEFAULT_DATA_DIR = path.resolve(__dirname, '..', '..', '.local-data');

/** The data directory in use: `LOCAL_DATA_DIR` overrides the default (tests give each stack its own). */
export function localDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.LOCAL_DATA_DIR === undefined || env.LOCAL_DATA_DIR === '' ? DEFAULT_DATA_DIR : path.resolve(env.LOCAL_DATA_DIR);
}

/** `LOCAL_TIME_SCALE` when unset: a 15 s consumer gets a 9 s visibility timeout instead of 90 s. */
export const DEFAULT_LOCAL_TIME_SCALE = 0.1;

/**
 * The one documented scaling of production durations for local runs: visibility timeouts, function
 * timeouts, batching windows and record ages are multiplied by it so that a technical failure
 * reaches its DLQ in seconds instead of minutes. `LOCAL_TIME_SCALE=1` runs with production values.
 * The relations AWS enforces still hold after scaling (a visibility timeout is never shorter than
 * its function's timeout).
 */
export function localTimeScale(env: NodeJS.ProcessEnv = process.env): number {
  const scale = Number(env.LOCAL_TIME_SCALE ?? DEFAULT_LOCAL_TIME_SCALE);
  if (!Number.isFinite(scale) || scale <= 0 || scale > 1) {
    throw new Error(`LOCAL_TIME_SCALE must be in (0, 1], got ${env.LOCAL_TIME_SCALE}`);
  }
  return scale;
}

/**
 * `LOCAL_SQS_DUPLICATE_RATE`, in [0, 1], default 0: the share of successfully processed SQS
 * messages the local mappings deliver a second time, as a standard queue may (at-least-once).
 * Makes the consumers' idempotency run locally instead of only in unit tests.
 */
export function localDuplicateDeliveryRate(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.LOCAL_SQS_DUPLICATE_RATE;
  const rate = raw === undefined || raw === '' ? 0 : Number(raw);
  if (!Number.isFinite(rate) || rate < 0 || rate > 1) {
    throw new Error(`LOCAL_SQS_DUPLICATE_RATE must be in [0, 1], got ${raw}`);
  }
  return rate;
}

/**
 * The shortest function timeout the local runtime grants: Lambda's own default, and enough for a
 * handler's first (cold) import on a loaded 2-core machine.
 */
export const MIN_LOCAL_FUNCTION_TIMEOUT_SECONDS = 3;

/** `Math.ceil` that ignores floating-point dust: `100 * 0.07` is 7.000000000000001, which is 7 s, not 8. */
function ceilSeconds(seconds: number): number {
  return Math.ceil(seconds - 1e-9);
}

function assertTimeScale(scale: number): void {
  if (!Number.isFinite(scale) || scale <= 0 || scale > 1) {
    throw new RangeError(`A local time scale must be in (0, 1], got ${scale}`);
  }
}

/** A function's timeout on the local runtime: its production timeout, scaled, never under the floor. */
export function scaledFunctionTimeoutSeconds(fn: Pick<FunctionSettings, 'timeoutSeconds'>, scale: number): number {
  assertTimeScale(scale);
  return Math.max(ceilSeconds(fn.timeoutSeconds * scale), MIN_LOCAL_FUNCTION_TIMEOUT_SECONDS);
}

/**
 * A consumer queue's local visibility timeout: the production value (6 × the function timeout),
 * scaled, and never shorter than the scaled function timeout, because Lambda refuses an event
 * source mapping whose function timeout exceeds the queue's visibility timeout.
 */
export function scaledVisibilityTimeoutSeconds(consumer: Pick<FunctionSettings, 'timeoutSeconds'>, scale: number): number {
  return Math.max(ceilSeconds(visibilityTimeoutSeconds(consumer) * scale), scaledFunctionTimeoutSeconds(consumer, scale));
}

/**
 * Names of the resources the CDK stack identifies by construct id (tables, topic). CloudFormation
 * would prefix them with the stack name; the local stack uses this fixed prefix instead. Queue names
 * are written literally in the settings and used as they are.
 */
export const LOCAL_NAME_PREFIX = 'order-pipeline';

function kebabCase(id: string): string {
  return id.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/** `order-pipeline-orders`, `order-pipeline-idempotency-keys`, … */
export function localTableName(role: TableRole): string {
  return `${LOCAL_NAME_PREFIX}-${kebabCase(TABLES[role].id)}`;
}

/** `order-pipeline-order-events`. */
export const LOCAL_EVENTS_TOPIC_NAME = `${LOCAL_NAME_PREFIX}-${kebabCase(EVENTS_TOPIC.id)}`;

/** A consumer's dead-letter queue, as the settings define it (`${queueName}-dlq`). */
export function deadLetterQueueName(consumer: Pick<QueueConsumerSettings, 'queueName'>): string {
  return `${consumer.queueName}-dlq`;
}
