/**
 * The local Lambda service: runs each function in execution environments (child processes) the
 * way Lambda does. An environment runs one invocation at a time; a function scales out to more
 * environments, created on demand (cold starts) and reused while idle (warm), up to its
 * concurrency; a timeout kills the environment, and so does a crash. Event sources (the local
 * API Gateway, the SQS and DynamoDB Streams mappings) reach it through `LambdaInvoker`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { ExecutionEnvironment } from './execution-environment';
import { bundleFunctions, HANDLER_SETTING, type RuntimeBundles } from './function-bundler';
import { functionSegment } from './function-segment';
import { formatInvocationLine } from './invocation-line';
import {
  REQUEST_TOO_LARGE_ERROR_TYPE,
  SYNC_INVOKE_PAYLOAD_LIMIT_BYTES,
  type InvokeOptions,
  type InvokeResult,
  type LambdaInvoker,
} from './lambda-invoker';
import { childTraceHeader } from './trace-header';
import type { TraceSegmentSink } from './trace-store';

export type { InvokeOptions, InvokeResult, LambdaInvoker } from './lambda-invoker';

/** A function as the local Lambda service runs it. */
export interface LocalFunction {
  /** `AWS_LAMBDA_FUNCTION_NAME`, and the name event sources invoke it by. */
  readonly name: string;
  /** The file exporting `handler`: absolute, or relative to the repository root. */
  readonly entry: string;
  /** The timeout this runtime enforces (already scaled for local runs). */
  readonly timeoutSeconds: number;
  readonly memorySizeMb: number;
  /** The function's configured environment variables; the service adds Lambda's reserved ones. */
  readonly environment: Readonly<Record<string, string>>;
  /** Most environments (and so concurrent invocations) the function gets. */
  readonly maxConcurrency: number;
}

export interface LambdaServiceOptions {
  readonly functions: readonly LocalFunction[];
  readonly repositoryRoot: string;
  readonly region: string;
  readonly accountId: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Shows what the functions write (their structured logs); default: `LOCAL_FUNCTION_LOGS=1`. */
  readonly functionLogs?: boolean;
  /** Where the one-line-per-invocation log and function output go; default: stdout. */
  readonly log?: (line: string) => void;
  /** Where to put the bundles; a temporary directory by default. */
  readonly bundleDir?: string;
  /** X-Ray daemon the functions' tracers send to; with one, new traces are sampled. */
  readonly xrayDaemonAddress?: string;
  /** Where the function segment of each sampled invocation is recorded (the Lambda service's part of a trace). */
  readonly traceSegments?: TraceSegmentSink;
}

export class LambdaServiceStoppedError extends Error {
  constructor(functionName: string) {
    super(`Cannot invoke ${functionName}: the local Lambda service is stopped`);
    this.name = 'LambdaServiceStoppedError';
  }
}

export class FunctionNotFoundError extends Error {
  constructor(functionName: string) {
    super(`Function not found: ${functionName}`);
    this.name = 'FunctionNotFoundError';
  }
}

/** Limits concurrent invocations of one function; waiters are served in arrival order. */
class ConcurrencyLimit {
  private active = 0;
  private readonly waiters: { resolve: () => void; reject: (error: Error) => void }[] = [];

  constructor(private readonly limit: number) {}

  acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active += 1;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next === undefined) this.active -= 1;
    else next.resolve();
  }

  rejectWaiters(error: Error): void {
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }
}

const LOG_STREAM_DATE = (now: Date): string => now.toISOString().slice(0, 10).replaceAll('-', '/');

/** Counts records of the event sources that batch (SQS, DynamoDB Streams) for the invocation log. */
function batchSizeOf(event: unknown): number | undefined {
  if (typeof event === 'object' && event !== null && 'Records' in event && Array.isArray(event.Records)) {
    return event.Records.length;
  }
  return undefined;
}

interface PoolInvocation {
  readonly result: InvokeResult;
  readonly lastOutput?: readonly string[];
  /** Set once an environment took the invocation. */
  readonly trace?: { readonly header: string; readonly requestId: string; readonly startedAtMs: number };
}

class FunctionPool {
  readonly environments = new Set<ExecutionEnvironment>();
  private readonly idle: ExecutionEnvironment[] = [];
  private readonly limit: ConcurrencyLimit;
  private readonly env: Record<string, string>;
  readonly invokedFunctionArn: string;

  constructor(
    readonly fn: LocalFunction,
    private readonly taskRoot: string,
    private readonly workerScript: string,
    private readonly service: LambdaServiceOptions,
    private readonly onOutput: (fn: LocalFunction, line: string) => void,
  ) {
    this.limit = new ConcurrencyLimit(fn.maxConcurrency);
    this.invokedFunctionArn = `arn:aws:lambda:${service.region}:${service.accountId}:function:${fn.name}`;
    // Exactly what Lambda gives a Node.js function: its configuration plus the reserved
    // variables. Nothing leaks in from the shell that started the local stack.
    this.env = {
      PATH: [path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(path.delimiter),
      LANG: 'en_US.UTF-8',
      TZ: ':UTC',
      ...fn.environment,
      _HANDLER: HANDLER_SETTING,
      LAMBDA_TASK_ROOT: taskRoot,
      LAMBDA_RUNTIME_DIR: path.dirname(workerScript),
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySizeMb),
      AWS_LAMBDA_FUNCTION_TIMEOUT: String(fn.timeoutSeconds),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_REGION: service.region,
      AWS_DEFAULT_REGION: service.region,
      AWS_ACCESS_KEY_ID: service.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: service.credentials.secretAccessKey,
      AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
      AWS_XRAY_DAEMON_ADDRESS: service.xrayDaemonAddress ?? '127.0.0.1:2000',
    };
  }

  /** The result, and the environment's last output when the invocation lost its environment. */
  async invoke(eventJson: string, options: InvokeOptions, stopped: () => boolean): Promise<PoolInvocation> {
    await this.limit.acquire();
    const startedAtMs = Date.now();
    const requestId = randomUUID();
    // Lambda's `_X_AMZN_TRACE_ID`: the caller's trace (API Gateway) or a new one; its Parent is the
    // id of the function segment the service records for the invocation.
    const header = childTraceHeader(options.traceHeader, this.service.xrayDaemonAddress !== undefined);
    const trace = { header, requestId, startedAtMs };
    try {
      let environment = this.takeIdle();
      let initDurationMs: number | undefined;
      if (environment === undefined) {
        if (stopped()) throw new LambdaServiceStoppedError(this.fn.name);
        environment = this.startEnvironment();
        const init = await environment.initialized;
        if (init.status !== 'ready') return { result: init, lastOutput: environment.lastOutput, trace };
        initDurationMs = init.initDurationMs;
      }
      const result = await environment.invoke(
        {
          type: 'invoke',
          requestId,
          event: eventJson,
          deadlineMs: Date.now() + this.fn.timeoutSeconds * 1000,
          invokedFunctionArn: this.invokedFunctionArn,
          traceId: header,
        },
        this.fn.timeoutSeconds * 1000,
      );
      const timed = initDurationMs === undefined ? result : { ...result, initDurationMs };
      if (environment.alive) {
        this.idle.push(environment);
        return { result: timed, trace };
      }
      return { result: timed, lastOutput: environment.lastOutput, trace };
    } finally {
      this.limit.release();
    }
  }

  stop(error: Error): void {
    this.limit.rejectWaiters(error);
    for (const environment of this.environments) environment.kill();
  }

  /** The most recently used idle environment, as Lambda tends to reuse the warmest one. */
  private takeIdle(): ExecutionEnvironment | undefined {
    let environment = this.idle.pop();
    while (environment !== undefined && !environment.alive) environment = this.idle.pop();
    return environment;
  }

  private startEnvironment(): ExecutionEnvironment {
    const suffix = randomBytes(16).toString('hex');
    const environment = new ExecutionEnvironment({
      workerScript: this.workerScript,
      cwd: this.taskRoot,
      memorySizeMb: this.fn.memorySizeMb,
      env: { ...this.env, AWS_LAMBDA_LOG_STREAM_NAME: `${LOG_STREAM_DATE(new Date())}/[$LATEST]${suffix}` },
      onOutput: (line) => this.onOutput(this.fn, line),
    });
    this.environments.add(environment);
    environment.onceExited(() => {
      this.environments.delete(environment);
      const index = this.idle.indexOf(environment);
      if (index !== -1) this.idle.splice(index, 1);
    });
    return environment;
  }
}

export class LambdaService implements LambdaInvoker {
  private readonly pools = new Map<string, FunctionPool>();
  private stopped = false;
  private readonly log: (line: string) => void;
  private readonly functionLogs: boolean;
  private readonly traceSegments: TraceSegmentSink | undefined;

  private constructor(
    options: LambdaServiceOptions,
    private readonly bundles: RuntimeBundles,
  ) {
    this.log = options.log ?? ((line) => process.stdout.write(`${line}\n`));
    this.functionLogs = options.functionLogs ?? process.env.LOCAL_FUNCTION_LOGS === '1';
    this.traceSegments = options.traceSegments;
    for (const fn of options.functions) {
      const taskRoot = bundles.taskRoots.get(fn.name);
      if (taskRoot === undefined) throw new Error(`No bundle for ${fn.name}`);
      this.pools.set(
        fn.name,
        new FunctionPool(fn, taskRoot, bundles.workerScript, options, (source, line) => {
          if (this.functionLogs) this.log(`[${source.name}] ${line}`);
        }),
      );
    }
  }

  /** Bundles every function once, then serves invocations; no environment starts before one is needed. */
  static async start(options: LambdaServiceOptions): Promise<LambdaService> {
    const names = new Set(options.functions.map((fn) => fn.name));
    if (names.size !== options.functions.length) throw new Error('Function names must be unique');
    const bundles = await bundleFunctions(options.functions, {
      repositoryRoot: options.repositoryRoot,
      ...(options.bundleDir === undefined ? {} : { outDir: options.bundleDir }),
    });
    return new LambdaService(options, bundles);
  }

  async invoke(functionName: string, event: unknown, options: InvokeOptions = {}): Promise<InvokeResult> {
    const pool = this.pools.get(functionName);
    if (pool === undefined) throw new FunctionNotFoundError(functionName);
    if (this.stopped) throw new LambdaServiceStoppedError(functionName);
    const eventJson = JSON.stringify(event) ?? 'null';
    const { result, lastOutput = [], trace }: PoolInvocation =
      Buffer.byteLength(eventJson) > SYNC_INVOKE_PAYLOAD_LIMIT_BYTES
        ? {
            result: {
              status: 'error',
              errorType: REQUEST_TOO_LARGE_ERROR_TYPE,
              errorMessage: `Request must be smaller than ${SYNC_INVOKE_PAYLOAD_LIMIT_BYTES} bytes for the InvokeFunction operation`,
              durationMs: 0,
            },
          }
        : await pool.invoke(eventJson, options, () => this.stopped);
    if (trace !== undefined) this.recordFunctionSegment(pool, trace, options, result);
    this.log(formatInvocationLine(functionName, batchSizeOf(event), result, pool.fn.timeoutSeconds));
    // Without function logs, the last lines are all that explains a lost environment.
    if (!this.functionLogs) for (const line of lastOutput) this.log(`  [${functionName}] ${line}`);
    return result;
  }

  private recordFunctionSegment(
    pool: FunctionPool,
    trace: NonNullable<PoolInvocation['trace']>,
    options: InvokeOptions,
    result: InvokeResult,
  ): void {
    if (this.traceSegments === undefined) return;
    const segment = functionSegment({
      functionName: pool.fn.name,
      functionArn: pool.invokedFunctionArn,
      requestId: trace.requestId,
      traceHeader: trace.header,
      ...(options.traceHeader === undefined ? {} : { callerTraceHeader: options.traceHeader }),
      ...(options.linkedTraceHeaders === undefined ? {} : { linkedTraceHeaders: options.linkedTraceHeaders }),
      startedAtMs: trace.startedAtMs,
      endedAtMs: Date.now(),
      result,
    });
    if (segment === undefined) return;
    try {
      this.traceSegments.record(segment);
    } catch (error) {
      // A store that cannot be written loses traces, never invocations.
      this.log(`X-Ray: could not record the segment of ${pool.fn.name} (${String(error)})`);
    }
  }

  /** PIDs of every environment process still running (busy, idle or starting). */
  livePids(): number[] {
    const pids: number[] = [];
    for (const pool of this.pools.values()) {
      for (const environment of pool.environments) {
        if (environment.pid !== undefined) pids.push(environment.pid);
      }
    }
    return pids;
  }

  /** Environments of one function that are running (busy, idle or starting). */
  environmentCount(functionName: string): number {
    return this.pools.get(functionName)?.environments.size ?? 0;
  }

  /** Kills every environment (SIGKILL, by PID); invocations in flight end as crashes. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const exits: Promise<void>[] = [];
    for (const [name, pool] of this.pools) {
      for (const environment of pool.environments) {
        exits.push(new Promise((resolve) => environment.onceExited(resolve)));
      }
      pool.stop(new LambdaServiceStoppedError(name));
    }
    await Promise.all(exits);
    await this.bundles.dispose();
  }
}
