/**
 * The segment the Lambda service records for each traced invocation (`AWS::Lambda::Function`),
 * which the X-Ray SDK inside the function cannot: it only sees a "facade" with the segment's id
 * (the `Parent` of `_X_AMZN_TRACE_ID`) and adds subsegments to it. The local runtime records it
 * instead, so the functions' subsegments have their parent.
 * (docs: lambda/latest/dg/services-xray.html, xray/latest/devguide/xray-tracelinking.html)
 */
import { randomBytes } from 'node:crypto';
import type { InvokeResult } from './lambda-invoker';
import { parseTraceHeader, traceLinksOf } from './trace-header';
import type { TraceSegmentDocument } from './trace-store';

export interface TracedInvocation {
  readonly functionName: string;
  readonly functionArn: string;
  readonly requestId: string;
  /** The `_X_AMZN_TRACE_ID` the invocation ran with: its Parent is this segment's id. */
  readonly traceHeader: string;
  /** The caller's header when the invocation continues its trace (API Gateway): the segment's parent. */
  readonly callerTraceHeader?: string;
  /** Headers of the messages the invocation consumed (SQS): linked, not parented. */
  readonly linkedTraceHeaders?: readonly string[];
  /** Epoch milliseconds: when the invocation was dispatched (before a cold start's init) and answered. */
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  readonly result: InvokeResult;
}

/**
 * The function segment of an invocation, or `undefined` when its trace is not sampled (X-Ray
 * records nothing of an unsampled trace). A cold start has an `Initialization` subsegment, as on
 * AWS, and the `ColdStart` annotation; an invocation that failed (an error, a timeout, a crash) is
 * a fault, with its error as the cause.
 */
export function functionSegment(invocation: TracedInvocation): TraceSegmentDocument | undefined {
  const trace = parseTraceHeader(invocation.traceHeader);
  if (trace?.parent === undefined || trace.sampled !== true) return undefined;
  const caller = parseTraceHeader(invocation.callerTraceHeader);
  const links = traceLinksOf(invocation.linkedTraceHeaders ?? []);
  const start = invocation.startedAtMs / 1000;
  const { result } = invocation;
  const cause = causeOf(result, invocation.functionName);
  return {
    id: trace.parent,
    trace_id: trace.root,
    name: invocation.functionName,
    origin: 'AWS::Lambda::Function',
    start_time: start,
    end_time: invocation.endedAtMs / 1000,
    ...(caller?.root === trace.root && caller.parent !== undefined ? { parent_id: caller.parent } : {}),
    aws: { function_arn: invocation.functionArn, request_id: invocation.requestId, resource_names: [invocation.functionName] },
    annotations: { ColdStart: result.initDurationMs !== undefined },
    ...(links.length > 0 ? { links } : {}),
    ...(cause === undefined ? {} : { fault: true, cause }),
    ...(result.initDurationMs === undefined
      ? {}
      : {
          subsegments: [
            {
              id: randomBytes(8).toString('hex'),
              name: 'Initialization',
              start_time: start,
              end_time: start + result.initDurationMs / 1000,
              trace_id: trace.root,
            },
          ],
        }),
  };
}

function causeOf(result: InvokeResult, functionName: string): { exceptions: { message: string; type: string }[] } | undefined {
  switch (result.status) {
    case 'ok':
      return undefined;
    case 'error':
      return { exceptions: [{ type: result.errorType, message: result.errorMessage }] };
    case 'timeout':
      return { exceptions: [{ type: 'Sandbox.Timedout', message: `${functionName}: task timed out` }] };
    case 'crash':
      return {
        exceptions: [{ type: 'Runtime.ExitError', message: `Runtime exited (${result.signal ?? `code ${String(result.exitCode)}`})` }],
      };
  }
}
