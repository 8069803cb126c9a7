/**
 * The local stack as the bench runs it: the cloud (DynamoDB Local + fauxqs) and the runtime as
 * process groups of their own, started with infra/local/stack-processes.ts exactly as `npm start`
 * does, on the bench's own ports. The runtime can be (re)started pointed straight at the emulators
 * or through the recording proxy (its DYNAMODB_PORT / SNS_SQS_PORT then name the proxy's ports).
 * With `--use-running`, an already running stack is used as it is, and nothing is started.
 *
 * Ports: API base, DynamoDB Local base+1, fauxqs base+2, the proxy base+3 (DynamoDB) and base+4,
 * the runtime's X-Ray daemon base+5 (UDP).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  createLocalDynamoDbClient,
  createLocalSnsClient,
  createLocalSqsClient,
  type LocalEndpoints,
} from '../infra/local/cloud/aws-clients';
import type { SNSClient } from '@aws-sdk/client-sns';
import { localEndpoints } from '../infra/local/cloud/emulators';
import { describeLocalResources, type LocalResources } from '../infra/local/cloud/provision';
import { LONG_POLL_SECONDS } from '../infra/local/runtime/sqs-mapping';
import {
  CLOUD_READY,
  RUNTIME_READY,
  startCloudProcess,
  startRuntimeProcess,
  type StackProcess,
} from '../infra/local/stack-processes';
import * as settings from '../src/common/settings';
import type { FunctionSettings } from '../src/common/settings';
import { createHttpClient } from './http-client';
import type { RecordedRequests } from './recording-proxy';

const START_TIMEOUT_MS = 120_000;
const REPOSITORY_ROOT = path.resolve(__dirname, '..');

/** Every function the settings define (the order API, the relay, the consumers, and any added later). */
export function pipelineFunctions(): FunctionSettings[] {
  const found = new Map<string, FunctionSettings>();
  for (const value of Object.values(settings) as unknown[]) {
    const candidates = Array.isArray(value) ? (value as unknown[]) : [value];
    for (const candidate of candidates) {
      if (isFunctionSettings(candidate)) found.set(candidate.id, candidate);
    }
  }
  return [...found.values()];
}

function isFunctionSettings(value: unknown): value is FunctionSettings {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<FunctionSettings>).id === 'string' &&
    typeof (value as Partial<FunctionSettings>).entry === 'string' &&
    typeof (value as Partial<FunctionSettings>).memorySizeMb === 'number'
  );
}

/** One line of the runtime's invocation log: `λ Payment batch=5 ok 41 ms, cold start 212 ms`. */
const INVOCATION_LINE = /^λ (\S+)(?: batch=(\d+))? (ok|error|timeout|crash)\b.* (\d+) ms(?:, cold start (\d+) ms)?$/;

export interface FunctionInvocations {
  invocations: number;
  /** Sum of durations as the runtime measured them (handler + the runtime's own IPC). */
  durationMs: number;
  /** Sum of durations rounded up to the millisecond, as Lambda bills them. */
  billedMs: number;
  records: number;
  failed: number;
  coldStarts: number;
  initMs: number;
}

/** Per-function invocation counts and durations, from the runtime's one line per invocation. */
export class InvocationLog {
  private byFunction = new Map<string, FunctionInvocations>();

  observe(line: string): void {
    const match = INVOCATION_LINE.exec(line);
    if (match === null) return;
    const [, name = '', batch, outcome, duration = '0', init] = match;
    const entry = this.byFunction.get(name) ?? {
      invocations: 0,
      durationMs: 0,
      billedMs: 0,
      records: 0,
      failed: 0,
      coldStarts: 0,
      initMs: 0,
    };
    entry.invocations += 1;
    entry.durationMs += Number(duration);
    entry.billedMs += Math.max(1, Math.ceil(Number(duration)));
    entry.records += batch === undefined ? 1 : Number(batch);
    if (outcome !== 'ok') entry.failed += 1;
    if (init !== undefined) {
      entry.coldStarts += 1;
      entry.initMs += Number(init);
    }
    this.byFunction.set(name, entry);
  }

  snapshot(): Record<string, FunctionInvocations> {
    return Object.fromEntries([...this.byFunction].map(([name, entry]) => [name, { ...entry }]));
  }

  reset(): void {
    this.byFunction = new Map();
  }
}

export interface StackPorts {
  readonly api: number;
  readonly dynamodb: number;
  readonly snsSqs: number;
  readonly proxyDynamodb: number;
  readonly proxySnsSqs: number;
  readonly xrayDaemon: number;
}

export function benchPorts(basePort: number): StackPorts {
  return {
    api: basePort,
    dynamodb: basePort + 1,
    snsSqs: basePort + 2,
    proxyDynamodb: basePort + 3,
    proxySnsSqs: basePort + 4,
    xrayDaemon: basePort + 5,
  };
}

export interface BenchStackOptions {
  readonly basePort: number;
  readonly timeScale: number;
  /** Use the stack already running on these ports; start nothing. */
  readonly useRunning: boolean;
  /** Extra runtime output goes here (debugging). */
  readonly echo?: (line: string) => void;
  /** Per-function variables added to every runtime start (LOCAL_FUNCTION_ENV). */
  readonly functionEnv?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export class BenchStack {
  readonly apiUrl: string;
  /** Where the bench itself talks to the emulators: always directly, never through the proxy. */
  readonly endpoints: LocalEndpoints;
  readonly ddb: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
  readonly invocations = new InvocationLog();
  private cloud: StackProcess | undefined;
  private runtime: StackProcess | undefined;
  /** When the last runtime was killed: its queue pollers' long polls may still be open in the emulator. */
  private runtimeKilledAt: number | undefined;
  private proxy: ChildProcess | undefined;
  private proxyExited: Promise<void> | undefined;
  private resourcesRead: LocalResources | undefined;
  private readonly dataDir: string;
  private readonly env: NodeJS.ProcessEnv;

  private constructor(
    private readonly options: BenchStackOptions,
    readonly ports: StackPorts,
  ) {
    this.apiUrl = `http://127.0.0.1:${ports.api}`;
    this.endpoints = localEndpoints({ dynamodb: ports.dynamodb, snsSqs: ports.snsSqs });
    this.ddb = DynamoDBDocumentClient.from(createLocalDynamoDbClient(this.endpoints), {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.sqs = createLocalSqsClient(this.endpoints);
    this.sns = createLocalSnsClient(this.endpoints);
    this.dataDir = mkdtempSync(path.join(os.tmpdir(), 'order-pipeline-bench-'));
    this.env = {
      LOCAL_TIME_SCALE: String(options.timeScale),
      LOCAL_DATA_DIR: this.dataDir,
      // The bench sees every invocation line; function logs stay off (they are the functions' I/O).
      LOCAL_FUNCTION_LOGS: '0',
    };
  }

  static async start(options: BenchStackOptions): Promise<BenchStack> {
    const stack = new BenchStack(options, benchPorts(options.basePort));
    if (options.useRunning) {
      stack.resourcesRead = await describeLocalResources(stack.endpoints);
      return stack;
    }
    try {
      stack.cloud = startCloudProcess({
        env: { ...stack.env, DYNAMODB_PORT: String(stack.ports.dynamodb), SNS_SQS_PORT: String(stack.ports.snsSqs) },
        args: ['--in-memory'],
        ...(options.echo === undefined ? {} : { onLine: options.echo }),
      });
      await stack.cloud.waitForLine(CLOUD_READY, START_TIMEOUT_MS);
      stack.resourcesRead = await describeLocalResources(stack.endpoints);
    } catch (error) {
      await stack.stop();
      throw error;
    }
    return stack;
  }

  get resources(): LocalResources {
    if (this.resourcesRead === undefined) throw new Error('the stack has no resources yet');
    return this.resourcesRead;
  }

  /** The process groups the bench started (none with `--use-running`), for CPU accounting. */
  processGroups(): { cloud?: number; runtime?: number } {
    return {
      ...(this.cloud === undefined ? {} : { cloud: this.cloud.pid }),
      ...(this.runtime === undefined ? {} : { runtime: this.runtime.pid }),
    };
  }

  get ownsRuntime(): boolean {
    return !this.options.useRunning;
  }

  /**
   * (Re)starts the runtime; `recorded` puts the recording proxy between it and the emulators, and
   * names every function in its SDK user agent so the proxy can tell the callers apart.
   * `functionEnv` adds per-function variables (LOCAL_FUNCTION_ENV), e.g. other table names.
   */
  async startRuntime(mode: 'direct' | 'recorded', functionEnvOverrides: Readonly<Record<string, Readonly<Record<string, string>>>> = {}): Promise<void> {
    if (this.options.useRunning) throw new Error('--use-running: the bench does not start a runtime');
    await this.stopRuntime();
    const recorded = mode === 'recorded';
    if (recorded) await this.startProxy();
    const functionEnv: Record<string, Record<string, string>> = Object.fromEntries(
      pipelineFunctions().map((fn) => [
        fn.id,
        { ...(recorded ? { AWS_SDK_UA_APP_ID: fn.id } : {}), ...this.options.functionEnv?.[fn.id], ...functionEnvOverrides[fn.id] },
      ]),
    );
    this.invocations.reset();
    this.runtime = startRuntimeProcess({
      env: {
        ...this.env,
        PORT: String(this.ports.api),
        XRAY_DAEMON_PORT: String(this.ports.xrayDaemon),
        DYNAMODB_PORT: String(recorded ? this.ports.proxyDynamodb : this.ports.dynamodb),
        SNS_SQS_PORT: String(recorded ? this.ports.proxySnsSqs : this.ports.snsSqs),
        LOCAL_FUNCTION_ENV: JSON.stringify(functionEnv),
      },
      onLine: (line) => {
        this.invocations.observe(line);
        this.options.echo?.(line);
      },
    });
    await this.runtime.waitForLine(RUNTIME_READY, START_TIMEOUT_MS);
    await this.outlastKilledRuntimePolls();
  }

  /**
   * A ReceiveMessage long poll stays open in the emulator after its client was killed, and the
   * first message to arrive goes to it: in flight for a whole visibility timeout (90 s), with no
   * consumer. So a section that starts right after a runtime was killed first waits until the
   * longest such poll (20 s) is over; waiting out the visibility timeout instead cost 90 s a run.
   */
  private async outlastKilledRuntimePolls(): Promise<void> {
    if (this.runtimeKilledAt === undefined) return;
    const remainingMs = this.runtimeKilledAt + LONG_POLL_SECONDS * 1000 - Date.now();
    if (remainingMs > 0) await new Promise((resolve) => setTimeout(resolve, remainingMs));
  }

  /** SIGKILLs the runtime's process group (and the proxy), as `npm start`'s second Ctrl-C would. */
  async stopRuntime(): Promise<void> {
    if (this.runtime !== undefined) {
      await this.runtime.kill();
      this.runtimeKilledAt = Date.now();
    }
    this.runtime = undefined;
    if (this.proxy !== undefined) {
      this.proxy.kill('SIGKILL');
      await this.proxyExited;
      this.proxy = undefined;
    }
  }

  /** The recorded requests so far; `reset` starts a new recording. */
  async recordedRequests(reset = false): Promise<RecordedRequests[]> {
    const client = createHttpClient(`http://127.0.0.1:${this.ports.proxyDynamodb}`, 1);
    try {
      const response = await client.request(reset ? 'POST' : 'GET', reset ? '/__bench/reset' : '/__bench/counts', {});
      return JSON.parse(response.body) as RecordedRequests[];
    } finally {
      client.destroy();
    }
  }

  async stop(): Promise<void> {
    await this.stopRuntime();
    await this.cloud?.kill();
    this.ddb.destroy();
    this.sqs.destroy();
    this.sns.destroy();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private async startProxy(): Promise<void> {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(__dirname, 'recording-proxy.ts'),
        String(this.ports.proxyDynamodb),
        this.endpoints.dynamodb,
        String(this.ports.proxySnsSqs),
        this.endpoints.snsSqs,
      ],
      { cwd: REPOSITORY_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    this.proxy = child;
    this.proxyExited = new Promise((resolve) => child.once('exit', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the recording proxy did not start')), START_TIMEOUT_MS);
      child.stdout?.setEncoding('utf8');
      child.stdout?.on('data', (chunk: string) => {
        if (chunk.includes('recording proxy ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the recording proxy exited (${code ?? 'signal'})`));
      });
    });
  }
}
