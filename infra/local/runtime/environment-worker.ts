/**
 * The runtime inside one local execution environment: a child process whose environment is
 * exactly the function's. Like the Lambda Node.js runtime it loads `_HANDLER` from
 * `LAMBDA_TASK_ROOT` once (the init phase), then runs one invocation per message, reporting the
 * result or the error in the shape Lambda reports it. Only async (promise) handlers are
 * supported, as on `nodejs24.x`, which dropped callback handlers.
 *
 * Compiled on its own by `function-bundler` and started with `child_process.fork`; it must not
 * import anything but Node built-ins and types.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { types } from 'node:util';
import type { Context } from 'aws-lambda';
import { isParentMessage, type InvokeMessage, type WorkerMessage } from './worker-protocol';

type Handler = (event: unknown, context: Context) => unknown;

/** What the runtime exits with after an uncaught exception or unhandled rejection. */
const RUNTIME_ERROR_EXIT_CODE = 129;

interface ErrorResponse {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace: readonly string[];
}

/** Lambda's own error names for failures of the runtime rather than of the handler. */
class RuntimeError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

function sendToParent(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined || !process.connected) {
      resolve();
      return;
    }
    // Resolve either way: if the parent is gone there is nobody left to tell.
    process.send(message, () => resolve());
  });
}

/** The response the Lambda runtime builds from a thrown value (errorType, errorMessage, trace). */
function toErrorResponse(error: unknown): ErrorResponse {
  if (types.isNativeError(error) || error instanceof Error) {
    return {
      errorType: error.name,
      errorMessage: error.message,
      trace: (error.stack ?? '').split('\n'),
    };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

function loadHandler(): Handler {
  const taskRoot = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
  const handlerSetting = process.env._HANDLER ?? 'index.handler';
  const separator = handlerSetting.lastIndexOf('.');
  const moduleName = handlerSetting.slice(0, separator);
  const exportName = handlerSetting.slice(separator + 1);
  const modulePath = path.join(taskRoot, `${moduleName}.js`);
  if (!existsSync(modulePath)) {
    throw new RuntimeError('Runtime.ImportModuleError', `Error: Cannot find module '${moduleName}'`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the runtime loads the bundle the way Lambda does
  const loaded: unknown = require(modulePath);
  const handler: unknown =
    typeof loaded === 'object' && loaded !== null ? (loaded as Record<string, unknown>)[exportName] : undefined;
  if (typeof handler !== 'function') {
    throw new RuntimeError('Runtime.HandlerNotFound', `${handlerSetting} is undefined or not exported`);
  }
  return handler as Handler;
}

function createContext(message: InvokeMessage): Context {
  const removed = (method: string) => (): never => {
    throw new Error(`context.${method} is not available on nodejs24.x: return (or throw) from an async handler`);
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME ?? '',
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION ?? '$LATEST',
    invokedFunctionArn: message.invokedFunctionArn,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '128',
    awsRequestId: message.requestId,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME ?? '',
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME ?? '',
    getRemainingTimeInMillis: () => Math.max(message.deadlineMs - Date.now(), 0),
    done: removed('done'),
    fail: removed('fail'),
    succeed: removed('succeed'),
  };
}

let currentRequestId: string | undefined;

async function invoke(handler: Handler, message: InvokeMessage): Promise<void> {
  currentRequestId = message.requestId;
  // The Node.js runtime sets the trace header per invocation; the X-Ray SDK reads it from here.
  process.env._X_AMZN_TRACE_ID = message.traceId;
  let outcome: WorkerMessage;
  try {
    const result = await handler(JSON.parse(message.event), createContext(message));
    outcome = { type: 'result', requestId: message.requestId, payload: JSON.stringify(result) ?? 'null' };
  } catch (error) {
    outcome = { type: 'error', requestId: message.requestId, ...toErrorResponse(error) };
  }
  currentRequestId = undefined;
  await sendToParent(outcome);
}

/**
 * As on Lambda, an uncaught exception or an unhandled rejection fails the current invocation and
 * ends the environment: the next invocation gets a fresh one.
 */
async function failAndExit(error: unknown): Promise<void> {
  const response = toErrorResponse(error);
  process.stderr.write(`${response.errorType}: ${response.errorMessage}\n`);
  if (currentRequestId !== undefined) {
    await sendToParent({ type: 'error', requestId: currentRequestId, ...response, fatal: true });
  }
  process.exit(RUNTIME_ERROR_EXIT_CODE);
}

async function main(): Promise<void> {
  const initStartedAt = performance.now();
  let handler: Handler;
  try {
    handler = loadHandler();
  } catch (error) {
    await sendToParent({ type: 'init-error', ...toErrorResponse(error) });
    process.exit(RUNTIME_ERROR_EXIT_CODE);
  }
  process.on('uncaughtException', (error) => void failAndExit(error));
  process.on('unhandledRejection', (reason) => {
    void failAndExit(new RuntimeError('Runtime.UnhandledPromiseRejection', String(reason)));
  });
  process.on('message', (message: unknown) => {
    if (isParentMessage(message)) void invoke(handler, message);
  });
  // Without the parent there is nobody to invoke this environment: end with it.
  process.on('disconnect', () => process.exit(0));
  // Ctrl-C in the terminal reaches the whole process group; the service, not the keyboard, ends an
  // environment (after letting the invocation in flight finish).
  process.on('SIGINT', () => undefined);
  await sendToParent({ type: 'ready', initDurationMs: Math.round(performance.now() - initStartedAt) });
}

void main();
