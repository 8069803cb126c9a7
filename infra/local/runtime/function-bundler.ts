/**
 * Builds each function the way `cdk deploy` does before the local runtime runs it: one esbuild
 * bundle per entry, with the options of `PipelineFunction`'s `NodejsFunction` (CommonJS, Node 24,
 * minified, source maps without sources, the AWS SDK bundled with `module` first). What runs
 * locally is therefore the artefact Lambda would run, not the TypeScript sources: a missing
 * dependency or an import-time side effect shows up here first.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { UNUSED_CREDENTIAL_PROVIDERS } from '../../bundling-externals';

/** Keep in step with `bundling` in infra/constructs/pipeline-function.ts. */
export const FUNCTION_BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  minify: true,
  // Error classes name themselves from their class: minified names would reach API responses and logs.
  keepNames: true,
  sourcemap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  external: [...UNUSED_CREDENTIAL_PROVIDERS],
} as const satisfies BuildOptions;

/** The file and export Lambda loads from the bundle (`_HANDLER`). */
export const BUNDLE_FILE = 'index.js';
export const HANDLER_SETTING = 'index.handler';

const WORKER_SOURCE = path.join(__dirname, 'environment-worker.ts');
const WORKER_FILE = 'environment-worker.js';

export interface FunctionEntry {
  readonly name: string;
  /** The file exporting `handler`: absolute, or relative to the repository root. */
  readonly entry: string;
}

export interface RuntimeBundles {
  /** The runtime every execution environment starts (`environment-worker`), compiled. */
  readonly workerScript: string;
  /** Function name → its task root (the directory holding `index.js`). */
  readonly taskRoots: ReadonlyMap<string, string>;
  /** Removes the bundles. */
  dispose(): Promise<void>;
}

export interface BundleOptions {
  readonly repositoryRoot: string;
  /** Where the bundles go; a fresh temporary directory by default (removed by `dispose`). */
  readonly outDir?: string;
}

/** Bundles every function (concurrently) and the environment runtime, once per runtime start. */
export async function bundleFunctions(
  functions: readonly FunctionEntry[],
  options: BundleOptions,
): Promise<RuntimeBundles> {
  const ownsOutDir = options.outDir === undefined;
  const outDir = options.outDir ?? (await mkdtemp(path.join(os.tmpdir(), 'local-lambda-')));
  const taskRoots = new Map<string, string>();
  try {
    await Promise.all([
      build({
        entryPoints: [WORKER_SOURCE],
        bundle: true,
        platform: 'node',
        target: 'node24',
        format: 'cjs',
        sourcemap: 'inline',
        outfile: path.join(outDir, WORKER_FILE),
        logLevel: 'silent',
      }),
      ...functions.map(async (fn) => {
        const taskRoot = path.join(outDir, fn.name);
        await build({
          ...FUNCTION_BUNDLE_OPTIONS,
          entryPoints: [path.resolve(options.repositoryRoot, fn.entry)],
          absWorkingDir: options.repositoryRoot,
          outfile: path.join(taskRoot, BUNDLE_FILE),
          logLevel: 'silent',
        });
        taskRoots.set(fn.name, taskRoot);
      }),
    ]);
  } catch (error) {
    if (ownsOutDir) await rm(outDir, { recursive: true, force: true });
    throw error;
  }
  return {
    workerScript: path.join(outDir, WORKER_FILE),
    taskRoots,
    dispose: async () => {
      if (ownsOutDir) await rm(outDir, { recursive: true, force: true });
    },
  };
}
