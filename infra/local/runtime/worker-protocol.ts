/**
 * The IPC messages between the local Lambda service and one execution environment (a child
 * process running `environment-worker`). Payloads travel as JSON text, as they do between the
 * Lambda service and a runtime, so a result that cannot be serialised fails the same way.
 */

/** Sent once per invocation; the environment runs one at a time. */
export interface InvokeMessage {
  readonly type: 'invoke';
  readonly requestId: string;
  /** The event, as JSON text. */
  readonly event: string;
  /** Epoch milliseconds after which the invocation has timed out (`getRemainingTimeInMillis`). */
  readonly deadlineMs: number;
  readonly invokedFunctionArn: string;
  /** The X-Ray trace header Lambda puts in `_X_AMZN_TRACE_ID` for this invocation. */
  readonly traceId: string;
}

export type ParentMessage = InvokeMessage;

/** The handler module loaded (Lambda's init phase). */
export interface ReadyMessage {
  readonly type: 'ready';
  readonly initDurationMs: number;
}

/** The handler module could not be loaded; the environment exits after sending this. */
export interface InitErrorMessage {
  readonly type: 'init-error';
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace: readonly string[];
}

export interface ResultMessage {
  readonly type: 'result';
  readonly requestId: string;
  /** The handler's return value, as JSON text (`null` for `undefined`). */
  readonly payload: string;
}

export interface InvocationErrorMessage {
  readonly type: 'error';
  readonly requestId: string;
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace: readonly string[];
  /** The error escaped the handler (uncaught exception, unhandled rejection): the runtime exits. */
  readonly fatal?: boolean;
}

export type WorkerMessage = ReadyMessage | InitErrorMessage | ResultMessage | InvocationErrorMessage;

const WORKER_MESSAGE_TYPES: ReadonlySet<string> = new Set(['ready', 'init-error', 'result', 'error']);

export function isWorkerMessage(value: unknown): value is WorkerMessage {
  return (
    typeof value === 'object' &&
    value !== null &&
    'type' in value &&
    typeof value.type === 'string' &&
    WORKER_MESSAGE_TYPES.has(value.type)
  );
}

export function isParentMessage(value: unknown): value is ParentMessage {
  return typeof value === 'object' && value !== null && 'type' in value && value.type === 'invoke';
}
