/**
 * Starts the two halves of the local stack as processes of their own: "the cloud" (emulators and
 * resources, infra/local/cloud/main.ts) and "the runtime" (Lambda and API Gateway,
 * infra/local/runtime/main.ts). `npm start` uses it, and so do the end-to-end and fault tests, which
 * kill and restart the runtime while the cloud keeps its state.
 *
 * Each half leads its own process group (its emulators or execution environments are in it), so
 * `kill()` SIGKILLs the whole half at once, the way a machine dies, and leaves nothing behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const LOCAL_DIR = __dirname;
export const CLOUD_MAIN = path.join(LOCAL_DIR, 'cloud', 'main.ts');
export const RUNTIME_MAIN = path.join(LOCAL_DIR, 'runtime', 'main.ts');

export interface StackProcessOptions {
  /** Added to this process's environment (ports, LOCAL_TIME_SCALE, LOCAL_DATA_DIR …). */
  readonly env?: NodeJS.ProcessEnv;
  readonly args?: readonly string[];
  /** Every line the process prints, stdout and stderr. */
  readonly onLine?: (line: string) => void;
}

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export class StackProcess {
  private readonly lines: string[] = [];
  private readonly lineWaiters = new Set<{ pattern: RegExp; resolve: (line: string) => void }>();
  readonly exited: Promise<ProcessExit>;
  private exit: ProcessExit | undefined;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    onLine: ((line: string) => void) | undefined,
  ) {
    const collect = (stream: NodeJS.ReadableStream | null): void => {
      let buffered = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        buffered += chunk;
        let newline = buffered.indexOf('\n');
        while (newline >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          this.lines.push(line);
          onLine?.(line);
          for (const waiter of this.lineWaiters) {
            if (waiter.pattern.test(line)) {
              this.lineWaiters.delete(waiter);
              waiter.resolve(line);
            }
          }
          newline = buffered.indexOf('\n');
        }
      });
    };
    collect(child.stdout);
    collect(child.stderr);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
  }

  static start(name: string, script: string, options: StackProcessOptions = {}): StackProcess {
    // `node --import tsx` keeps it one process (the tsx CLI would add a wrapper process in between).
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...(options.args ?? [])], {
      cwd: path.resolve(LOCAL_DIR, '..', '..'),
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    if (child.pid === undefined) throw new Error(`${name} did not start`);
    return new StackProcess(name, child, options.onLine);
  }

  get pid(): number {
    return this.child.pid as number;
  }

  get output(): readonly string[] {
    return this.lines;
  }

  /** Resolves with the first line (already printed or to come) matching `pattern`. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string> {
    const printed = this.lines.find((line) => pattern.test(line));
    if (printed !== undefined) return Promise.resolve(printed);
    return new Promise((resolve, reject) => {
      const waiter = { pattern, resolve: (line: string) => settle(() => resolve(line)) };
      const timer = setTimeout(
        () => settle(() => reject(new Error(`${this.name}: no line matching ${pattern} within ${timeoutMs} ms\n${this.tail()}`))),
        timeoutMs,
      );
      const settle = (finish: () => void): void => {
        clearTimeout(timer);
        this.lineWaiters.delete(waiter);
        finish();
      };
      this.lineWaiters.add(waiter);
      void this.exited.then((exit) =>
        settle(() => reject(new Error(`${this.name} exited (${exit.code ?? exit.signal}) before printing ${pattern}\n${this.tail()}`))),
      );
    });
  }

  /** Asks the process to stop (it stops its children), then kills its group if it does not. */
  async stop(timeoutMs = 10_000): Promise<ProcessExit> {
    if (this.exit !== undefined) return this.exit;
    this.signalGroup('SIGINT');
    const timer = setTimeout(() => this.signalGroup('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILLs the process and every process in its group, with no chance to clean up. */
  async kill(): Promise<ProcessExit> {
    if (this.exit === undefined) this.signalGroup('SIGKILL');
    return this.exited;
  }

  private signalGroup(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch (error) {
      // ESRCH: the group is already gone.
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }

  private tail(): string {
    return this.lines.slice(-20).join('\n');
  }
}

export function startCloudProcess(options?: StackProcessOptions): StackProcess {
  return StackProcess.start('cloud', CLOUD_MAIN, options);
}

export function startRuntimeProcess(options?: StackProcessOptions): StackProcess {
  return StackProcess.start('runtime', RUNTIME_MAIN, options);
}

export const CLOUD_READY = /cloud ready/;
export const RUNTIME_READY = /runtime ready/;
