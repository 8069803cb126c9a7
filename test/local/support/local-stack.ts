/**
 * The whole local stack for a test file: the cloud and the runtime as separate process groups (as
 * `npm start` runs them), on ports of the file's own so files never share emulators. The runtime can
 * be SIGKILLed and restarted while the cloud keeps its state; with `persistent`, so can the cloud.
 * `stop()` kills every process it started, by process group.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  createLocalDynamoDbClient,
  createLocalSnsClient,
  createLocalSqsClient,
  type LocalEndpoints,
} from '../../../infra/local/cloud/aws-clients';
import { localEndpoints } from '../../../infra/local/cloud/emulators';
import { describeLocalResources, type LocalResources } from '../../../infra/local/cloud/provision';
import {
  CLOUD_READY,
  RUNTIME_READY,
  startCloudProcess,
  startRuntimeProcess,
  type StackProcess,
} from '../../../infra/local/stack-processes';

const START_TIMEOUT_MS = 120_000;

export interface LocalStackOptions {
  /** API on basePort, DynamoDB Local on basePort + 1, SNS/SQS on basePort + 2, X-Ray daemon on UDP basePort + 3. */
  readonly basePort: number;
  /** LOCAL_TIME_SCALE; the default makes a technical failure reach its DLQ in seconds. */
  readonly timeScale?: number;
  /** Keep the emulators' state on disk, so the cloud too can be killed and restarted. */
  readonly persistent?: boolean;
  /** Extra environment for the runtime process (for example fault injection from outside src/). */
  readonly runtimeEnv?: NodeJS.ProcessEnv;
  /** Print both halves' output (debugging). */
  readonly echo?: boolean;
}

export interface LocalStack {
  readonly apiUrl: string;
  readonly endpoints: LocalEndpoints;
  readonly resources: LocalResources;
  readonly dataDir: string;
  readonly ddb: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
  readonly cloud: () => StackProcess;
  readonly runtime: () => StackProcess;
  /** SIGKILLs the runtime's process group (API, mappings, every execution environment). */
  killRuntime(): Promise<void>;
  startRuntime(env?: NodeJS.ProcessEnv): Promise<void>;
  /** SIGKILLs the cloud's process group (both emulators); needs `persistent` to come back with state. */
  killCloud(): Promise<void>;
  startCloud(): Promise<void>;
  stop(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const ports = { api: options.basePort, dynamodb: options.basePort + 1, snsSqs: options.basePort + 2 };
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'order-pipeline-stack-'));
  const env: NodeJS.ProcessEnv = {
    PORT: String(ports.api),
    DYNAMODB_PORT: String(ports.dynamodb),
    SNS_SQS_PORT: String(ports.snsSqs),
    // UDP: every stack's functions send their traces to their own runtime's daemon.
    XRAY_DAEMON_PORT: String(options.basePort + 3),
    LOCAL_TIME_SCALE: String(options.timeScale ?? 0.05),
    LOCAL_DATA_DIR: dataDir,
  };
  const echo = options.echo === true ? (line: string) => process.stdout.write(`${line}\n`) : undefined;
  let cloud: StackProcess | undefined;
  let runtime: StackProcess | undefined;

  const startCloud = async (): Promise<void> => {
    cloud = startCloudProcess({ env, args: options.persistent === true ? [] : ['--in-memory'], onLine: echo });
    await cloud.waitForLine(CLOUD_READY, START_TIMEOUT_MS);
  };
  const startRuntime = async (extraEnv: NodeJS.ProcessEnv = {}): Promise<void> => {
    runtime = startRuntimeProcess({ env: { ...env, ...options.runtimeEnv, ...extraEnv }, onLine: echo });
    await runtime.waitForLine(RUNTIME_READY, START_TIMEOUT_MS);
  };
  const stop = async (): Promise<void> => {
    await runtime?.kill();
    await cloud?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    await startCloud();
    await startRuntime();
  } catch (error) {
    await stop();
    throw error;
  }

  const endpoints = localEndpoints(ports);
  return {
    apiUrl: `http://127.0.0.1:${ports.api}`,
    endpoints,
    resources: await describeLocalResources(endpoints),
    dataDir,
    ddb: DynamoDBDocumentClient.from(createLocalDynamoDbClient(endpoints)),
    sqs: createLocalSqsClient(endpoints),
    sns: createLocalSnsClient(endpoints),
    cloud: () => required(cloud, 'cloud'),
    runtime: () => required(runtime, 'runtime'),
    killRuntime: async () => {
      await runtime?.kill();
    },
    startRuntime,
    killCloud: async () => {
      await cloud?.kill();
    },
    startCloud,
    stop,
  };
}

function required(process: StackProcess | undefined, name: string): StackProcess {
  if (process === undefined) throw new Error(`the ${name} was never started`);
  return process;
}
