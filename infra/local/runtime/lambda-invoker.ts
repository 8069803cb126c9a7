/**
 * How the local event sources (API Gateway, the SQS and DynamoDB Streams mappings) invoke a
 * function. The outcomes are the ones a synchronous `Invoke` has on AWS: a payload, a function
 * error (`X-Amz-Function-Error`), a timeout, or an environment that died under the invocation.
 */

interface InvokeTiming {
  /** The invocation itself, from the event's delivery to the environment until its outcome. */
  readonly durationMs: number;
  /** Set on a cold start: how long the new environment took to load the handler (Lambda's Init Duration). */
  readonly initDurationMs?: number;
}

export type InvokeResult =
  | ({ readonly status: 'ok'; readonly payload: unknown } & InvokeTiming)
  | ({ readonly status: 'error'; readonly errorType: string; readonly errorMessage: string } & InvokeTiming)
  | ({ readonly status: 'timeout' } & InvokeTiming)
  | ({
      readonly status: 'crash';
      readonly exitCode: number | null;
      readonly signal: NodeJS.Signals | null;
    } & InvokeTiming);

export interface InvokeOptions {
  /**
   * The caller's X-Ray trace header (`Root=…;Parent=…;Sampled=…`): the invocation joins that trace,
   * as a function behind API Gateway does. Without one the invocation starts its own trace.
   */
  readonly traceHeader?: string;
  /**
   * Trace headers of the messages in the event (SQS): the invocation starts a trace of its own and
   * its function segment *links* to these, as Lambda does for SQS-triggered invocations.
   */
  readonly linkedTraceHeaders?: readonly string[];
}

export interface LambdaInvoker {
  invoke(functionName: string, event: unknown, options?: InvokeOptions): Promise<InvokeResult>;
}

/** `Invoke`'s limit on a synchronous request and response payload (6 MB). */
export const SYNC_INVOKE_PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024;

/** Lambda's error type when the invocation request itself is over the payload limit. */
export const REQUEST_TOO_LARGE_ERROR_TYPE = 'RequestEntityTooLargeException';
