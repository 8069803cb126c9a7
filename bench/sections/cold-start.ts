/**
 * Section 6: a cold-start proxy per function. Each function is bundled exactly as the local
 * runtime and `cdk deploy` bundle it (FUNCTION_BUNDLE_OPTIONS, which mirrors PipelineFunction's
 * NodejsFunction), beside a baseline bundle built the same way that holds only the SDK clients the
 * function uses (created at load, as the handlers create theirs), and a third that adds to those
 * clients the libraries the project requires of every function (Powertools logger, tracer wrapping
 * the clients, metrics, and batch for the queue consumers): the floor no trimming of our own code
 * can go below. Reported: the minified size, and the median time to `require` the bundle in a
 * fresh Node process with the function's environment (NODE_OPTIONS included), the three measured
 * in rotating order.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { functionEnvironment, mapTableRoles } from '../../infra/function-environment';
import { lambdaHeapFlags } from '../../infra/local/runtime/execution-environment';
import { FUNCTION_BUNDLE_OPTIONS } from '../../infra/local/runtime/function-bundler';
import type { FunctionSettings } from '../../src/common/settings';
import { pipelineFunctions } from '../bench-stack';
import type { Progress } from '../progress';
import { median } from '../stats';

const execFileAsync = promisify(execFile);
const REPOSITORY_ROOT = path.resolve(__dirname, '..', '..');

export interface BundleMeasurement {
  readonly functionId: string;
  readonly memorySizeMb: number;
  readonly bundleBytes: number;
  readonly baselineBytes: number;
  readonly loadMs: number;
  readonly baselineLoadMs: number;
  /** CPU time (user + system) of the same requires: robust when other work competes for the cores. */
  readonly loadCpuMs: number;
  readonly baselineLoadCpuMs: number;
  /** The SDK-only baseline plus the required libraries (absent from results of older runs). */
  readonly requiredFloor?: {
    readonly bytes: number;
    readonly loadMs: number;
    readonly loadCpuMs: number;
    readonly libraries: readonly string[];
  };
  /** The SDK clients the baseline holds. */
  readonly sdkClients: readonly string[];
  /** Largest contributors to the function's bundle, by package. */
  readonly topPackages: readonly { readonly name: string; readonly bytes: number }[];
}

export interface ColdStartResult {
  readonly runs: number;
  readonly functions: readonly BundleMeasurement[];
}

interface BaselineEntry {
  readonly contents: string;
  readonly clients: string[];
  readonly libraries: string[];
}

/** The SDK-only entry for a function: the clients its settings say it uses, created at load. */
function sdkOnlyEntry(fn: FunctionSettings): BaselineEntry {
  return baselineEntry(fn, false);
}

/**
 * The SDK-only entry plus what the project requires of every function: Powertools Logger, Metrics
 * and Tracer (which wraps each client, as src/common/aws-clients.ts does), and Powertools batch
 * processing for the functions an SQS queue triggers.
 */
function requiredLibrariesEntry(fn: FunctionSettings): BaselineEntry {
  return baselineEntry(fn, true);
}

function baselineEntry(fn: FunctionSettings, withRequiredLibraries: boolean): BaselineEntry {
  const usesDynamoDb = Object.keys(fn.tables).length > 0;
  const lines: string[] = [];
  const clients: string[] = [];
  const libraries: string[] = [];
  // How each client is created: as it is, or through the tracer as the functions create theirs.
  let traced = (client: string): string => client;
  if (withRequiredLibraries) {
    lines.push(
      "import { Logger } from '@aws-lambda-powertools/logger';",
      "import { Metrics } from '@aws-lambda-powertools/metrics';",
      "import { Tracer } from '@aws-lambda-powertools/tracer';",
      'const logger = new Logger();',
      "const metrics = new Metrics({ namespace: 'bench' });",
      'const tracer = new Tracer();',
    );
    libraries.push('logger', 'metrics', 'tracer');
    traced = (client) => `tracer.captureAWSv3Client(${client})`;
    if ('queueName' in fn) {
      lines.push(
        "import { BatchProcessor, EventType } from '@aws-lambda-powertools/batch';",
        'const processor = new BatchProcessor(EventType.SQS);',
      );
      libraries.push('batch');
    }
  }
  if (usesDynamoDb) {
    lines.push(
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
      "import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';",
      `const documentClient = DynamoDBDocumentClient.from(${traced('new DynamoDBClient({})')});`,
      'const dynamoDbCommands = [GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand];',
    );
    clients.push('DynamoDBDocumentClient');
  }
  if (fn.publishesEvents) {
    lines.push(
      "import { PublishBatchCommand, SNSClient } from '@aws-sdk/client-sns';",
      `const snsClient = ${traced('new SNSClient({})')};`,
      'const snsCommands = [PublishBatchCommand];',
    );
    clients.push('SNSClient');
  }
  const used = [
    ...(usesDynamoDb ? ['documentClient', 'dynamoDbCommands'] : []),
    ...(fn.publishesEvents ? ['snsClient', 'snsCommands'] : []),
    ...(withRequiredLibraries ? ['logger', 'metrics', 'tracer'] : []),
    ...(libraries.includes('batch') ? ['processor'] : []),
  ];
  lines.push(`export const handler = async () => [${used.join(', ')}].length;`);
  return { contents: lines.join('\n'), clients, libraries };
}

async function bundle(outfile: string, entry: { file: string } | { contents: string }): Promise<{ bytes: number; packages: Map<string, number> }> {
  const result = await build({
    ...FUNCTION_BUNDLE_OPTIONS,
    ...('file' in entry
      ? { entryPoints: [path.join(REPOSITORY_ROOT, entry.file)] }
      : { stdin: { contents: entry.contents, resolveDir: REPOSITORY_ROOT, loader: 'ts' as const, sourcefile: 'sdk-only.ts' } }),
    absWorkingDir: REPOSITORY_ROOT,
    outfile,
    metafile: true,
    logLevel: 'silent',
  });
  const packages = new Map<string, number>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [file, input] of Object.entries(output.inputs)) {
      const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? 'src';
      packages.set(name, (packages.get(name) ?? 0) + input.bytesInOutput);
    }
  }
  return { bytes: (await stat(outfile)).size, packages };
}

interface LoadTime {
  readonly wallMs: number;
  readonly cpuMs: number;
}

/** Wall and CPU milliseconds to `require` the bundle, measured inside a fresh Node process with the function's heap. */
async function loadTime(bundlePath: string, fn: FunctionSettings, env: NodeJS.ProcessEnv): Promise<LoadTime> {
  const script =
    'const c=process.cpuUsage();const t=process.hrtime.bigint();' +
    `require(${JSON.stringify(bundlePath)});` +
    'const w=Number(process.hrtime.bigint()-t)/1e6;const u=process.cpuUsage(c);' +
    'process.stdout.write(JSON.stringify({wallMs:w,cpuMs:(u.user+u.system)/1e3}))';
  const { stdout } = await execFileAsync(process.execPath, [...lambdaHeapFlags(fn.memorySizeMb), '-e', script], { env, cwd: path.dirname(bundlePath) });
  return JSON.parse(stdout) as LoadTime;
}

/** The environment Lambda (and the local runtime) gives the function, with placeholder resource names. */
function lambdaEnvironment(fn: FunctionSettings, taskRoot: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    ...functionEnvironment(fn, {
      tableNames: mapTableRoles((role) => `bench-${role}`),
      topicArn: 'arn:aws:sns:us-east-1:000000000000:bench-events',
    }),
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_LAMBDA_FUNCTION_NAME: fn.id,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySizeMb),
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    LAMBDA_TASK_ROOT: taskRoot,
    TZ: ':UTC',
  };
}

export async function measureColdStarts(runs: number, progress: Progress): Promise<ColdStartResult> {
  const functions = pipelineFunctions();
  const outDir = await mkdtemp(path.join(os.tmpdir(), 'bench-bundles-'));
  progress.startPhase('cold start: bundling every function, its SDK-only baseline and its required-libraries floor', functions.length);
  try {
    const built = [];
    for (const [index, fn] of functions.entries()) {
      const functionDir = path.join(outDir, fn.id);
      const baselineDir = path.join(outDir, `${fn.id}-sdk-only`);
      const floorDir = path.join(outDir, `${fn.id}-required-libraries`);
      const entry = sdkOnlyEntry(fn);
      const floorEntry = requiredLibrariesEntry(fn);
      const [own, baseline, floor] = await Promise.all([
        bundle(path.join(functionDir, 'index.js'), { file: fn.entry }),
        bundle(path.join(baselineDir, 'index.js'), { contents: entry.contents }),
        bundle(path.join(floorDir, 'index.js'), { contents: floorEntry.contents }),
      ]);
      built.push({
        fn,
        functionDir,
        baselineDir,
        floorDir,
        own,
        baseline,
        floor,
        clients: entry.clients,
        libraries: floorEntry.libraries,
        loads: [] as LoadTime[],
        baselineLoads: [] as LoadTime[],
        floorLoads: [] as LoadTime[],
      });
      progress.update(index + 1);
    }
    progress.startPhase(`cold start: require time, median of ${runs}`, runs * built.length);
    for (let run = 0; run < runs; run += 1) {
      for (const [index, item] of built.entries()) {
        // Rotating which goes first, so none always runs on a cache another warmed.
        const measurements = [
          () => loadTime(path.join(item.functionDir, 'index.js'), item.fn, lambdaEnvironment(item.fn, item.functionDir)).then((ms) => item.loads.push(ms)),
          () => loadTime(path.join(item.baselineDir, 'index.js'), item.fn, lambdaEnvironment(item.fn, item.baselineDir)).then((ms) => item.baselineLoads.push(ms)),
          () => loadTime(path.join(item.floorDir, 'index.js'), item.fn, lambdaEnvironment(item.fn, item.floorDir)).then((ms) => item.floorLoads.push(ms)),
        ];
        const first = run % measurements.length;
        for (const measure of [...measurements.slice(first), ...measurements.slice(0, first)]) await measure();
        progress.update(run * built.length + index + 1);
      }
    }
    return {
      runs,
      functions: built.map((item) => ({
        functionId: item.fn.id,
        memorySizeMb: item.fn.memorySizeMb,
        bundleBytes: item.own.bytes,
        baselineBytes: item.baseline.bytes,
        loadMs: median(item.loads.map((load) => load.wallMs)),
        baselineLoadMs: median(item.baselineLoads.map((load) => load.wallMs)),
        loadCpuMs: median(item.loads.map((load) => load.cpuMs)),
        baselineLoadCpuMs: median(item.baselineLoads.map((load) => load.cpuMs)),
        requiredFloor: {
          bytes: item.floor.bytes,
          loadMs: median(item.floorLoads.map((load) => load.wallMs)),
          loadCpuMs: median(item.floorLoads.map((load) => load.cpuMs)),
          libraries: item.libraries,
        },
        sdkClients: item.clients,
        topPackages: [...item.own.packages]
          .sort(([, left], [, right]) => right - left)
          .slice(0, 8)
          .map(([name, bytes]) => ({ name, bytes })),
      })),
    };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}
