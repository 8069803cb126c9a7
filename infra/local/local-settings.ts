/**
 * Settings that exist only for the local stack. Everything else (names, batch sizes, timeouts,
 * filter policies) comes from src/common/settings.ts, exactly as the CDK stack reads it.
 */
import path from 'node:path';

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

/** Where a persistent local stack keeps its state (DynamoDB Local files, fauxqs, stream checkpoints). */
export const DEFAULT_DATA_DIR = path.resolve(__dirname, '..', '..', '.local-data');

/**
 * The one documented scaling of production durations for local runs: visibility timeouts, function
 * timeouts, batching windows and record ages are multiplied by it so that a technical failure
 * reaches its DLQ in seconds instead of minutes. `LOCAL_TIME_SCALE=1` runs with production values.
 * The relations AWS enforces still hold after scaling (a visibility timeout is never shorter than
 * its function's timeout).
 */
export function localTimeScale(env: NodeJS.ProcessEnv = process.env): number {
  const scale = Number(env.LOCAL_TIME_SCALE ?? 0.1);
  if (!Number.isFinite(scale) || scale <= 0 || scale > 1) {
    throw new Error(`LOCAL_TIME_SCALE must be in (0, 1], got ${env.LOCAL_TIME_SCALE}`);
  }
  return scale;
}
