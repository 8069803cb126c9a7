/**
 * One local execution environment: a child process running one function's bundle, one
 * invocation at a time. It lives until it crashes, times out (it is then killed, as Lambda resets
 * an environment after a timeout) or the service stops.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { SYNC_INVOKE_PAYLOAD_LIMIT_BYTES, type InvokeResult } from './lambda-invoker';
import { isWorkerMessage, type InvokeMessage, type WorkerMessage } from './worker-protocol';

/** Lambda gives an on-demand environment 10 s to initialise (load the handler module). */
export const INIT_TIMEOUT_MS = 10_000;

/** Lines of output kept to explain a crash when function logs are not shown. */
const OUTPUT_TAIL_LINES = 5;

export interface EnvironmentOptions {
  readonly workerScript: string;
  /** The complete environment of the process: nothing is inherited. */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly memorySizeMb: number;
  /** Receives each line the function writes to stdout or stderr. */
  readonly onOutput: (line: string) => void;
}

export type InitOutcome =
  | { readonly status: 'ready'; readonly initDurationMs: number }
  | Exclude<InvokeResult, { status: 'ok' }>;

interface PendingInvocation {
  readonly requestId: string;
  readonly startedAt: number;
  readonly timer: NodeJS.Timeout;
  readonly settle: (result: InvokeResult) => void;
}

function elapsedSince(startedAt: number): number {
  return Math.round(performance.now() - startedAt);
}

function forwardLines(stream: Readable | null, onLine: (line: string) => void): void {
  if (stream === null) return;
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    let newline = buffered.indexOf('\n');
    while (newline !== -1) {
      onLine(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf('\n');
    }
  });
  stream.on('end', () => {
    if (buffered !== '') onLine(buffered);
  });
}

/**
 * The V8 heap of a Lambda execution environment, as the bootstrap of Lambda's Node.js images sets
 * it: a tenth of the function's memory for the young generation (two semi-spaces), the rest for the old.
 * Without the semi-space flag V8 sizes the young generation from the machine's memory: on a 24 GB
 * machine the new space of a 256 MB function grew to 128 MB (32 MB with the flag). Such a heap
 * outgrows the function's memory, so a batch that runs out of memory on Lambda would pass here, and
 * collects less often, so a local environment would spend less CPU on garbage than Lambda's.
 */
export function lambdaHeapFlags(memorySizeMb: number): string[] {
  const youngGenerationMb = Math.floor(memorySizeMb / 10);
  return [`--max-semi-space-size=${Math.floor(youngGenerationMb / 2)}`, `--max-old-space-size=${memorySizeMb - youngGenerationMb}`];
}

export class ExecutionEnvironment {
  /** Settles once: ready, or why the environment never became ready. */
  readonly initialized: Promise<InitOutcome>;
  private readonly child: ChildProcess;
  private readonly outputTail: string[] = [];
  private exited = false;
  /** No longer handed out (its runtime reported a fatal error and is exiting). */
  private retired = false;
  private pending: PendingInvocation | undefined;
  private readonly exitListeners: (() => void)[] = [];

  constructor(options: EnvironmentOptions) {
    const forkedAt = performance.now();
    this.child = fork(options.workerScript, [], {
      env: { ...options.env },
      cwd: options.cwd,
      execArgv: lambdaHeapFlags(options.memorySizeMb),
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    const onLine = (line: string): void => {
      this.outputTail.push(line);
      if (this.outputTail.length > OUTPUT_TAIL_LINES) this.outputTail.shift();
      options.onOutput(line);
    };
    forwardLines(this.child.stdout, onLine);
    forwardLines(this.child.stderr, onLine);

    this.initialized = new Promise<InitOutcome>((resolve) => {
      const initTimer = setTimeout(() => {
        this.kill();
        resolve({ status: 'timeout', durationMs: elapsedSince(forkedAt) });
      }, INIT_TIMEOUT_MS);
      const onInitMessage = (message: unknown): void => {
        if (!isWorkerMessage(message)) return;
        if (message.type === 'ready') {
          clearTimeout(initTimer);
          this.child.off('message', onInitMessage);
          resolve({ status: 'ready', initDurationMs: elapsedSince(forkedAt) });
        } else if (message.type === 'init-error') {
          clearTimeout(initTimer);
          resolve({
            status: 'error',
            errorType: message.errorType,
            errorMessage: message.errorMessage,
            durationMs: elapsedSince(forkedAt),
          });
        }
      };
      this.child.on('message', onInitMessage);
      this.child.once('exit', (exitCode, signal) => {
        clearTimeout(initTimer);
        // No effect if already settled as ready, failed or timed out.
        resolve({ status: 'crash', exitCode, signal, durationMs: elapsedSince(forkedAt) });
      });
    });

    this.child.on('message', (message: unknown) => {
      if (isWorkerMessage(message)) this.onInvocationMessage(message);
    });
    this.child.once('exit', (exitCode, signal) => this.onExit(exitCode, signal));
    // A failed fork (e.g. a missing Node binary) is reported as an exit without a code.
    this.child.on('error', () => this.kill());
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return !this.exited && !this.retired;
  }

  get busy(): boolean {
    return this.pending !== undefined;
  }

  /** The last lines the function wrote: what is left to explain a crash. */
  get lastOutput(): readonly string[] {
    return [...this.outputTail];
  }

  onceExited(listener: () => void): void {
    if (this.exited) listener();
    else this.exitListeners.push(listener);
  }

  /** Runs one invocation; the caller guarantees the environment is ready and idle. */
  invoke(message: InvokeMessage, timeoutMs: number): Promise<InvokeResult> {
    if (this.pending !== undefined) {
      throw new Error('An execution environment runs one invocation at a time');
    }
    const startedAt = performance.now();
    if (this.exited) {
      return Promise.resolve({ status: 'crash', exitCode: this.child.exitCode, signal: this.child.signalCode, durationMs: 0 });
    }
    return new Promise<InvokeResult>((resolve) => {
      const timer = setTimeout(() => {
        // Lambda stops a timed-out invocation by discarding its environment.
        this.pending = undefined;
        this.kill();
        resolve({ status: 'timeout', durationMs: elapsedSince(startedAt) });
      }, timeoutMs);
      this.pending = {
        requestId: message.requestId,
        startedAt,
        timer,
        settle: (result) => {
          clearTimeout(timer);
          this.pending = undefined;
          resolve(result);
        },
      };
      this.child.send(message);
    });
  }

  /** SIGKILL: nothing the function does can delay or survive it. */
  kill(): void {
    // The exit event comes later (after the pool has decided whether to reuse this environment):
    // from now on it is never handed out again, or the next invocation would die with it.
    this.retired = true;
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGKILL');
    }
  }

  private onInvocationMessage(message: WorkerMessage): void {
    const pending = this.pending;
    if (pending === undefined) return;
    if (message.type === 'result' && message.requestId === pending.requestId) {
      const durationMs = elapsedSince(pending.startedAt);
      if (Buffer.byteLength(message.payload) > SYNC_INVOKE_PAYLOAD_LIMIT_BYTES) {
        pending.settle({
          status: 'error',
          errorType: 'Function.ResponseSizeTooLarge',
          errorMessage: `Response payload size exceeded maximum allowed payload size (${SYNC_INVOKE_PAYLOAD_LIMIT_BYTES} bytes).`,
          durationMs,
        });
        return;
      }
      pending.settle({ status: 'ok', payload: JSON.parse(message.payload) as unknown, durationMs });
    } else if (message.type === 'error' && message.requestId === pending.requestId) {
      if (message.fatal === true) {
        // The runtime exits right after an uncaught error: never hand this environment out again.
        this.retired = true;
      }
      pending.settle({
        status: 'error',
        errorType: message.errorType,
        errorMessage: message.errorMessage,
        durationMs: elapsedSince(pending.startedAt),
      });
    }
  }

  private onExit(exitCode: number | null, signal: NodeJS.Signals | null): void {
    this.exited = true;
    this.pending?.settle({ status: 'crash', exitCode, signal, durationMs: elapsedSince(this.pending.startedAt) });
    for (const listener of this.exitListeners.splice(0)) listener();
  }
}
